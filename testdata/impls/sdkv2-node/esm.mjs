// The same SDK v2, imported from an ES module, which Node loads through its
// ESM loader rather than require. It confirms every sign-up and verifies a
// valid email address or phone number, after a ListUsers call that must
// reach the pool: a call that escaped would fail, and refuse the sign-up.
import AWS from "aws-sdk";

const cognito = new AWS.CognitoIdentityServiceProvider();

export const handler = async (event) => {
  await cognito.listUsers({ UserPoolId: event.userPoolId, Limit: 1 }).promise();
  const attrs = event.request.userAttributes || {};
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(attrs.email ?? "");
  event.response.autoVerifyPhone = /^\+[1-9]\d{6,14}$/.test(attrs.phone_number ?? "");
  return event;
};
