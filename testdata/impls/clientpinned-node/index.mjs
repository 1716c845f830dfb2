// A Node.js pre sign-up handler that admits sign-ups only from its own
// region and its own app client, whose id its deployment gives it in
// WEB_CLIENT_ID (`WEB_CLIENT_ID: !Ref UserPoolClient`). Cognito sends the
// pool's region and the calling app client in every event, and
// CLIENT_ID_NOT_APPLICABLE where no app client called (AdminCreateUser).
// It confirms what it admits and verifies nothing.
const admitted = new Set([process.env.WEB_CLIENT_ID, "CLIENT_ID_NOT_APPLICABLE"]);

export const handler = async (event) => {
  if (event.region !== process.env.AWS_REGION) {
    throw new Error(`sign-ups from region ${event.region} are not this function's`);
  }
  if (!admitted.has(event.callerContext?.clientId)) {
    throw new Error("sign-ups from this app client are closed");
  }
  if (event.version !== "1") {
    throw new Error(`event version ${event.version} is not known`);
  }
  event.response.autoConfirmUser = true;
  return event;
};
