#!/usr/bin/env python3
"""Prepares a moto server that enforces IAM, for driftmon's access-denied test.

moto checks signatures and IAM policies once its "initial no-auth action count" is used up. This
script, run against a fresh moto server, creates (unauthenticated) a user whose policy allows every
S3 action except GetObject under `capture/` of the test bucket, creates that user's access key and
the bucket, then switches enforcement on for every later request (POST /moto-api/reset-auth 0).

It prints two lines, `ACCESS_KEY_ID` and `SECRET_ACCESS_KEY`, for the test to sign with.

Usage: moto_iam_setup.py --endpoint http://127.0.0.1:PORT [--bucket driftmon-denied]
"""

import argparse
import json
import urllib.request

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--bucket", default="driftmon-denied")
    a = ap.parse_args()
    kw = dict(
        endpoint_url=a.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    iam = boto3.client("iam", **kw)
    s3 = boto3.client("s3", **kw)
    s3.create_bucket(Bucket=a.bucket)
    iam.create_user(UserName="driftmon-reader")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{a.bucket}/capture/*",
            },
        ],
    }
    iam.put_user_policy(
        UserName="driftmon-reader", PolicyName="no-capture", PolicyDocument=json.dumps(policy)
    )
    key = iam.create_access_key(UserName="driftmon-reader")["AccessKey"]
    req = urllib.request.Request(
        a.endpoint.rstrip("/") + "/moto-api/reset-auth",
        data=b"0",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(req, timeout=10).read()
    print(key["AccessKeyId"])
    print(key["SecretAccessKey"])


if __name__ == "__main__":
    main()
