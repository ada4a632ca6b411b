#!/usr/bin/env python3
"""A CloudWatch protocol translator for driftmon's tests: Smithy RPC v2 CBOR in front, moto behind.

aws-sdk-cloudwatch >= 1.100 (Rust) speaks only the Smithy RPC v2 CBOR protocol, which moto 5.x does
not implement (getmoto/moto#9195). Rather than freeze the SDK at an old version, the tests put this
small proxy between the SDK and moto:

    SDK --CBOR--> POST /service/GraniteServiceVersion20100801/operation/<Op>
        proxy: cbor2 decodes the request; botocore's QuerySerializer re-encodes it for the
               operation's input shape (awsQuery protocol, the one moto implements)
        --query--> moto (the same server that serves S3)
        proxy: botocore's QueryParser reads moto's XML for the output shape; botocore's CBOR
               serializer writes it back, shape-aware (timestamps as tag 1, doubles as floats)
    SDK <--CBOR--

Errors come back as RPC v2 CBOR errors (`__type`, `message`, and the `x-amzn-query-error` header of
the awsQueryCompatible trait) with moto's HTTP status. Any CloudWatch operation moto implements
works; driftmon's tests use PutMetricData, GetMetricData, ListMetrics, PutDashboard, GetDashboard,
PutMetricAlarm and DescribeAlarms.

The original Authorization header is forwarded unchanged: moto reads the region and service from
its credential scope and (unless IAM enforcement is on) does not check the signature.

Usage: cw_cbor_proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--port-file FILE]
Prints "listening on http://127.0.0.1:PORT" and serves until killed.
"""

import argparse
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.session
import cbor2
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer, RpcV2CBORSerializer

PATH_PREFIX = "/service/GraniteServiceVersion20100801/operation/"

_model = botocore.session.get_session().get_service_model("cloudwatch")
_query = QuerySerializer()
_query_parser = QueryParser()
_cbor = RpcV2CBORSerializer()


def encode_output(shape, value):
    """CBOR for `value` following `shape` (botocore's own RPC v2 CBOR encoder)."""
    if shape is None:
        return cbor2.dumps({})
    out = bytearray()
    value = {k: v for k, v in value.items() if k != "ResponseMetadata" and k in shape.members}
    _cbor._serialize_data_item(out, value, shape)
    return bytes(out)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = ""

    def log_message(self, fmt, *args):  # quiet unless asked
        if self.server.verbose:
            sys.stderr.write("cw-proxy: " + (fmt % args) + "\n")

    def _reply(self, status, body, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", "application/cbor")
        self.send_header("smithy-protocol", "rpc-v2-cbor")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status, code, message, sender="Sender"):
        body = cbor2.dumps({"__type": f"com.amazonaws.cloudwatch#{code}", "message": message})
        self._reply(status, body, {"x-amzn-query-error": f"{code};{sender}"})

    def do_GET(self):
        # Health check for the test script.
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.startswith(PATH_PREFIX):
            return self._error(404, "UnknownOperationException", f"not an RPC v2 path: {self.path}")
        op_name = self.path[len(PATH_PREFIX):].split("?", 1)[0]
        try:
            op = _model.operation_model(op_name)
        except Exception:
            return self._error(400, "UnknownOperationException", f"unknown operation {op_name}")
        try:
            params = cbor2.loads(raw) if raw else {}
        except Exception as e:  # noqa: BLE001 - any decoding failure is the client's
            return self._error(400, "SerializationException", f"bad CBOR body: {e}")
        request = _query.serialize_to_request(params, op)
        body = urllib.parse.urlencode(request["body"], doseq=True).encode()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Content-Length": str(len(body)),
        }
        for h in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if self.headers.get(h):
                headers[h] = self.headers[h]
        req = urllib.request.Request(self.upstream + "/", data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                status, rbody, rheaders = resp.status, resp.read(), dict(resp.headers)
        except urllib.error.HTTPError as e:
            status, rbody, rheaders = e.code, e.read(), dict(e.headers)
        except OSError as e:
            return self._error(503, "ServiceUnavailable", f"moto unreachable: {e}", "Receiver")
        response = {"status_code": status, "headers": rheaders, "body": rbody}
        try:
            if status >= 300:
                parsed = _query_parser.parse(response, None)
                err = parsed.get("Error", {})
                return self._error(
                    status,
                    err.get("Code") or str(status),
                    err.get("Message") or "",
                    "Receiver" if status >= 500 else "Sender",
                )
            parsed = _query_parser.parse(response, op.output_shape)
            out = encode_output(op.output_shape, parsed)
        except Exception as e:  # noqa: BLE001 - report translation bugs to the caller
            return self._error(500, "InternalFailure", f"proxy could not translate: {e!r}", "Receiver")
        extra = {}
        rid = parsed.get("ResponseMetadata", {}).get("RequestId")
        if rid:
            extra["x-amzn-requestid"] = rid
        self._reply(200, out, extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--upstream", required=True, help="moto's URL, e.g. http://127.0.0.1:5000")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", help="write the bound port here")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()
    Handler.upstream = a.upstream.rstrip("/")
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    srv.verbose = a.verbose
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file, "w") as f:
            f.write(str(port))
    print(f"listening on http://{a.host}:{port}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
