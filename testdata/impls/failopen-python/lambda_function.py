"""A Python pre sign-up handler with boto3 that fails open: when ListUsers
fails it verifies anyway, so as not to hold a sign-up up. Its retries are
kept short to answer well inside Cognito's 5 s. Under throttling or an
internal error it moves another user's alias: the gate expects it to fail
alias-safe on the lookup-fault scenarios."""
import re

import boto3
from botocore.config import Config

cognito = boto3.client("cognito-idp", config=Config(retries={"mode": "standard", "total_max_attempts": 2}))
EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
PHONE = re.compile(r"^\+[1-9]\d{6,14}$")


def held_verified(pool, attr, value):
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    try:
        for page in cognito.get_paginator("list_users").paginate(UserPoolId=pool, Filter='%s = "%s"' % (attr, escaped)):
            for user in page["Users"]:
                if any(a["Name"] == attr + "_verified" and a["Value"] == "true" for a in user.get("Attributes", [])):
                    return True
        return False
    except Exception as err:  # fail open: the flaw under test
        print("lookup of %s failed (%s); verifying anyway" % (attr, type(err).__name__))
        return False


def lambda_handler(event, context):
    attrs = event["request"].get("userAttributes") or {}
    event["response"]["autoConfirmUser"] = True
    email, phone = attrs.get("email"), attrs.get("phone_number")
    if isinstance(email, str) and EMAIL.match(email):
        event["response"]["autoVerifyEmail"] = not held_verified(event["userPoolId"], "email", email)
    if isinstance(phone, str) and PHONE.match(phone):
        event["response"]["autoVerifyPhone"] = not held_verified(event["userPoolId"], "phone_number", phone)
    return event
