"""Parameter Store flow with boto3 against a Tend endpoint, for test/e2e/boto3.test.ts.

Reads the endpoint from AWS_ENDPOINT_URL_SSM (as any boto3 program would)
and the parameter prefix from argv[1]; prints one JSON object with what
each step returned, which the test asserts on. Never prints secrets other
than the test's own SecureString value, which the test checks for.
"""
import json
import sys

import boto3
from botocore.exceptions import ClientError

prefix = sys.argv[1]
ssm = boto3.client("ssm")
out = {}

out["put_string"] = ssm.put_parameter(Name=f"{prefix}/svc/name", Value="tend", Type="String")["Version"]
out["put_secure"] = ssm.put_parameter(Name=f"{prefix}/svc/token", Value="t0ken!", Type="SecureString")["Version"]
out["put_overwrite"] = ssm.put_parameter(Name=f"{prefix}/svc/name", Value="tend v2", Type="String", Overwrite=True)["Version"]

out["get_decrypted"] = ssm.get_parameter(Name=f"{prefix}/svc/token", WithDecryption=True)["Parameter"]["Value"]
out["get_sealed_differs"] = ssm.get_parameter(Name=f"{prefix}/svc/token")["Parameter"]["Value"] != "t0ken!"

names = []
for page in ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True, WithDecryption=True):
    names.extend(p["Name"] for p in page["Parameters"])
out["by_path"] = sorted(names)

label = ssm.label_parameter_version(Name=f"{prefix}/svc/name", ParameterVersion=1, Labels=["blue"])
out["label_invalid"] = label["InvalidLabels"]
out["get_by_label"] = ssm.get_parameter(Name=f"{prefix}/svc/name:blue")["Parameter"]["Value"]
history = ssm.get_parameter_history(Name=f"{prefix}/svc/name")["Parameters"]
out["history"] = [[h["Version"], h.get("Labels", []), h["Value"]] for h in history]

many = ssm.get_parameters(Names=[f"{prefix}/svc/name", f"{prefix}/svc/missing"])
out["get_parameters"] = {"found": [p["Name"] for p in many["Parameters"]], "invalid": many["InvalidParameters"]}

ssm.delete_parameter(Name=f"{prefix}/svc/token")
try:
    ssm.get_parameter(Name=f"{prefix}/svc/token")
    out["after_delete"] = "still there"
except ssm.exceptions.ParameterNotFound as err:
    out["after_delete"] = {
        "code": err.response["Error"]["Code"],
        "status": err.response["ResponseMetadata"]["HTTPStatusCode"],
        "request_id": err.response["ResponseMetadata"].get("RequestId", ""),
    }

try:
    ssm.put_parameter(Name=f"{prefix}/svc/name", Value="again", Type="String")
    out["duplicate"] = "accepted"
except ClientError as err:
    out["duplicate"] = err.response["Error"]["Code"]

print(json.dumps(out))
