"""A Python pre sign-up handler with boto3, which Lambda's Python runtimes
include. It confirms every sign-up and verifies a valid email address or
phone number unless another user holds it verified, which it asks
ListUsers; a lookup that fails refuses the sign-up. CALL_OTHER_SERVICE makes
it call DynamoDB first, which local does not emulate: that call must fail
on this machine with a clear error, never reach AWS."""
import os
import re

import boto3

cognito = boto3.client("cognito-idp")
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def held_verified(pool, attr, value):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool, Filter='%s = "%s"' % (attr, escaped)):
        for user in page["Users"]:
            if any(a["Name"] == attr + "_verified" and a["Value"] == "true" for a in user.get("Attributes", [])):
                return True
    return False


def lambda_handler(event, context):
    if os.environ.get("CALL_OTHER_SERVICE"):
        boto3.client("dynamodb").get_item(TableName="sign-ups", Key={"id": {"S": "x"}})
    attrs = event["request"].get("userAttributes") or {}
    event["response"]["autoConfirmUser"] = True
    email, phone = attrs.get("email"), attrs.get("phone_number")
    if isinstance(email, str) and EMAIL.match(email):
        event["response"]["autoVerifyEmail"] = not held_verified(event["userPoolId"], "email", email)
    if isinstance(phone, str) and PHONE.match(phone):
        event["response"]["autoVerifyPhone"] = not held_verified(event["userPoolId"], "phone_number", phone)
    return event
