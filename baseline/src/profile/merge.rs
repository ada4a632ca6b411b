//! The [`Merge`] law every profile statistic obeys: partial states of disjoint parts of a
//! dataset (objects, chunks, shards, machines) fold into the state of their union, with
//! `Default` as the identity. The rest of [`crate::profile`] builds on it.

/// Combining two partial states into the state of their union. `Default` is the identity.
pub trait Merge: Default {
    /// Folds `other` into `self`.
    fn merge(&mut self, other: &Self);
}
