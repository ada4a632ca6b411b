//! Secrets of the configuration: never printed, read from the environment or a file.

use super::raw::*;
use super::validate::*;
use super::*;

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

/// A secret (SMTP password, webhook token). `Debug` prints `***`; there is no `Display` and no
/// `Serialize`: the value leaves only through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that needs it (the SMTP login, the HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

pub(super) fn secret(
    env_key: Option<&str>,
    file: Option<&str>,
    what: &str,
    path: &str,
    ctx: &ValidateContext<'_>,
    errs: &mut Errs,
) -> Option<Secret> {
    let (env_name, file_name) = (format!("{what}_env"), format!("{what}_file"));
    match (env_key, file) {
        (Some(_), Some(_)) => {
            errs.push(path, format!("set `{env_name}` or `{file_name}`, not both"));
            None
        }
        (Some(var), None) => match (ctx.env)(var) {
            Some(v) if !v.is_empty() => Some(Secret(v)),
            Some(_) => {
                errs.push(
                    &join_path(path, &env_name),
                    format!("environment variable {var} is empty"),
                );
                None
            }
            None => {
                errs.push(
                    &join_path(path, &env_name),
                    format!("environment variable {var} is not set"),
                );
                None
            }
        },
        (None, Some(f)) => {
            let p = PathBuf::from(f);
            let p = match ctx.base_dir {
                Some(b) if p.is_relative() => b.join(p),
                _ => p,
            };
            match std::fs::read_to_string(&p) {
                Ok(v) => {
                    let v = v.trim_end_matches(['\n', '\r']).to_owned();
                    if v.is_empty() {
                        errs.push(
                            &join_path(path, &file_name),
                            format!("{} is empty", p.display()),
                        );
                        None
                    } else {
                        Some(Secret(v))
                    }
                }
                Err(e) => {
                    // The error names the file, never its content.
                    errs.push(
                        &join_path(path, &file_name),
                        format!("{}: {e}", p.display()),
                    );
                    None
                }
            }
        }
        (None, None) => None,
    }
}
