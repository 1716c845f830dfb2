// A pre sign-up handler on the AWS SDK for JavaScript v2, which ignores the
// AWS_ENDPOINT_URL variables. It confirms every sign-up and verifies a valid
// email address or phone number unless another user holds it verified,
// which it asks ListUsers. CALL_OTHER_SERVICE makes it call DynamoDB first.
const AWS = require("aws-sdk");

const cognito = new AWS.CognitoIdentityServiceProvider();
const validEmail = (v) => typeof v === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
const validPhone = (v) => typeof v === "string" && /^\+[1-9]\d{6,14}$/.test(v);

async function heldVerified(poolId, attr, value) {
  let token;
  do {
    const page = await cognito.listUsers({
      UserPoolId: poolId,
      Filter: `${attr} = "${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`,
      PaginationToken: token,
    }).promise();
    if ((page.Users || []).some((u) => (u.Attributes || []).some((a) => a.Name === `${attr}_verified` && a.Value === "true"))) {
      return true;
    }
    token = page.PaginationToken;
  } while (token);
  return false;
}

exports.handler = async (event) => {
  if (process.env.CALL_OTHER_SERVICE) {
    await new AWS.DynamoDB().getItem({ TableName: "sign-ups", Key: { id: { S: "x" } } }).promise();
  }
  const attrs = event.request.userAttributes || {};
  event.response.autoConfirmUser = true;
  if (validEmail(attrs.email)) {
    event.response.autoVerifyEmail = !(await heldVerified(event.userPoolId, "email", attrs.email));
  }
  if (validPhone(attrs.phone_number)) {
    event.response.autoVerifyPhone = !(await heldVerified(event.userPoolId, "phone_number", attrs.phone_number));
  }
  return event;
};
