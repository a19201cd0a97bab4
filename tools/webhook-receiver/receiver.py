#!/usr/bin/env python3
"""A webhook receiver for trying RaffsSync out: it checks every message's Standard Webhooks signature
with its own code (the Python standard library only) and prints what it received.

    WEBHOOK_SECRET=whsec_... python3 tools/webhook-receiver/receiver.py 4000

It answers 204 to a message whose signature verifies and 401 (which RaffsSync retries) to any other.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOLERANCE_SECONDS = 5 * 60


def verified(secret: str, message_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """The receiving side of the spec: HMAC-SHA256 of '{id}.{timestamp}.{body}' keyed by the bytes after 'whsec_'."""
    if not secret.startswith("whsec_") or not timestamp.isdigit():
        return False
    if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret[len("whsec_"):])
    expected = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    for versioned in signatures.split():
        version, _, signature = versioned.partition(",")
        try:
            if version == "v1" and hmac.compare_digest(base64.b64decode(signature), expected):
                return True
        except ValueError:
            continue
    return False


class Receiver(BaseHTTPRequestHandler):
    # HTTP/1.1 with a length on every answer: RaffsSync keeps connections open and sends messages side by side.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        message_id = self.headers.get("webhook-id", "")
        ok = verified(os.environ.get("WEBHOOK_SECRET", ""), message_id, self.headers.get("webhook-timestamp", ""), body,
                      self.headers.get("webhook-signature", ""))
        if ok:
            message = json.loads(body)
            print(f"verified {message['type']} {message_id}: {json.dumps(message['data'])[:300]}", flush=True)
        else:
            print(f"REFUSED {message_id}: the signature does not verify", flush=True)
        self.send_response(204 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    print(f"listening on http://127.0.0.1:{port}/", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
