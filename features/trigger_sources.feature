@sources
Feature: Each way into the pool is handled as Cognito expects
  Cognito calls the pre sign-up trigger in three situations. When a user signs up
  by themselves, the trigger confirms and verifies. When an administrator creates
  the user, Cognito ignores whatever the trigger answers, so the event goes back
  untouched. When a user arrives through Google, Facebook or another identity
  provider, that provider has already confirmed them; a verified flag would be
  overwritten at their next sign-in, so the user is only confirmed. Anything
  else means the function is attached to the wrong trigger, and it says so loudly.

  These are autoconfirm's own choices (@autoconfirm). Cognito ignores the flags
  on AdminCreateUser and accepts a verified flag from an identity provider, so
  another correct trigger may answer differently; cognito.feature judges what
  Cognito itself requires of these events.

  @autoconfirm @admin-create-user
  Scenario: An administrator creates the user
    Given a new user signs up with the event "admin-create-user"
    When the sign-up reaches the pre sign-up trigger
    Then the event comes back exactly as it was sent
    And the pool is not looked up

  @autoconfirm @external-provider
  Scenario: A user signs in for the first time through an identity provider
    Given a new user signs up with the event "external-provider"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the phone number is not verified
    And the rest of the event comes back unchanged
    And the pool is not looked up

  @autoconfirm @wrong-trigger
  Scenario: The function is attached to the wrong trigger
    Given a new user signs up with the event "unknown-source"
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "PreSignUp_Migration"
