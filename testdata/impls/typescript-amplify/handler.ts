// A pre sign-up handler in TypeScript, laid out as Amplify Gen 2 lays one out
// (amplify/auth/pre-sign-up/handler.ts, `export const handler`), which
// Amplify and CDK's NodejsFunction bundle with esbuild. It confirms every
// sign-up and verifies a valid email address or phone number unless another
// user holds it verified, which it asks AdminGetUser with the value as the
// username. Only the type import names aws-lambda; esbuild erases it.
import type { PreSignUpTriggerHandler } from "aws-lambda";
import { AdminGetUserCommand, CognitoIdentityProviderClient, UserNotFoundException } from "@aws-sdk/client-cognito-identity-provider";

const cognito = new CognitoIdentityProviderClient({});
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phoneShape = /^\+[1-9]\d{6,14}$/;

async function heldBySomeoneElse(pool: string, self: string, attr: string, value: string): Promise<boolean> {
  try {
    const user = await cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: value }));
    const attrs = new Map((user.UserAttributes ?? []).map((a) => [a.Name ?? "", a.Value ?? ""]));
    return user.Username !== self && attrs.get(`${attr}_verified`) === "true";
  } catch (err) {
    if (err instanceof UserNotFoundException) {
      return false;
    }
    throw err;
  }
}

export const handler: PreSignUpTriggerHandler = async (event) => {
  const attrs = event.request.userAttributes ?? {};
  event.response.autoConfirmUser = true;
  const email = attrs["email"];
  if (typeof email === "string" && emailShape.test(email)) {
    event.response.autoVerifyEmail = !(await heldBySomeoneElse(event.userPoolId, event.userName, "email", email));
  }
  const phone = attrs["phone_number"];
  if (typeof phone === "string" && phoneShape.test(phone)) {
    event.response.autoVerifyPhone = !(await heldBySomeoneElse(event.userPoolId, event.userName, "phone_number", phone));
  }
  return event;
};
