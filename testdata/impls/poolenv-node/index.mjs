// A Node.js pre sign-up handler wired as SAM and CDK wire one: it reads its
// pool's id from USER_POOL_ID (`USER_POOL_ID: !Ref UserPool`), not from the
// event. It confirms every sign-up and verifies a valid email address or
// phone number unless another user holds it verified, which it asks
// AdminGetUser with the value as the username. A lookup that fails leaves the
// value unverified: the guard fails closed.
import { AdminGetUserCommand, CognitoIdentityProviderClient, UserNotFoundException } from "@aws-sdk/client-cognito-identity-provider";

const cognito = new CognitoIdentityProviderClient({});
const poolId = process.env.USER_POOL_ID;
const validEmail = (v) => typeof v === "string" && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v);
const validPhone = (v) => typeof v === "string" && /^\+[1-9]\d{6,14}$/.test(v);

async function freeToVerify(self, attr, value) {
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: value }));
    const verified = (user.UserAttributes ?? []).some((a) => a.Name === `${attr}_verified` && a.Value === "true");
    return user.Username === self || !verified;
  } catch (err) {
    if (err instanceof UserNotFoundException) {
      return true;
    }
    console.log(JSON.stringify({ level: "warn", msg: "lookup failed, leaving the value unverified", error: err.name }));
    return false;
  }
}

export const handler = async (event) => {
  const attrs = event.request?.userAttributes ?? {};
  event.response.autoConfirmUser = true;
  if (validEmail(attrs.email)) {
    event.response.autoVerifyEmail = await freeToVerify(event.userName, "email", attrs.email);
  }
  if (validPhone(attrs.phone_number)) {
    event.response.autoVerifyPhone = await freeToVerify(event.userName, "phone_number", attrs.phone_number);
  }
  return event;
};
