"""A real SMTP server for driftmon's e-mail tests (tests/tests/actions.rs).

Runs aiosmtpd on 127.0.0.1, writes each message it accepts to OUT_DIR as one JSON file
(`{"mail_from", "rcpt_tos", "login", "subject", "from", "to", "content_type", "text", "data"}`, written to a temporary name and renamed, so a
reader never sees half a file), prints `READY <port>` on stdout once it accepts connections, and
stops when its standard input closes (the test's handle on it dropped) or on SIGTERM.

With --user and --password, AUTH (PLAIN or LOGIN) is offered without TLS and required before
MAIL; any other login or password is refused with 535.

    python smtp_sink.py OUT_DIR [--port 0] [--user U --password P]
"""

import argparse
import email
import email.policy
import json
import logging
import os
import signal
import socket
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "login": login,
            # The headers and the text decoded (RFC 2047 subjects, quoted-printable bodies).
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "content_type": msg.get_content_type(),
            "text": body.get_content() if body is not None else None,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        tmp = os.path.join(self.out_dir, f".msg-{n:04}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        os.replace(tmp, os.path.join(self.out_dir, f"msg-{n:04}.json"))
        return "250 Message accepted for delivery"


def authenticator_for(user, password):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticate


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    # AUTH without TLS is what the tests want; aiosmtpd warns about it on every connection.
    warnings.simplefilter("ignore")
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user")
    ap.add_argument("--password")
    args = ap.parse_args()
    if (args.user is None) != (args.password is None):
        ap.error("--user and --password go together")
    os.makedirs(args.out_dir, exist_ok=True)
    port = args.port or free_port()
    kwargs = {}
    if args.user is not None:
        kwargs = {
            "authenticator": authenticator_for(args.user, args.password),
            "auth_required": True,
            "auth_require_tls": False,
        }
    controller = Controller(Sink(args.out_dir), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print(f"READY {port}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    controller.stop()


if __name__ == "__main__":
    main()
