@cognito
Feature: Every answer is one Cognito accepts
  This is Cognito's own contract, and nothing more: what Cognito enforces on
  the trigger's answer to the events it really sends, so that no sign-up
  fails because of it. Any correct pre sign-up trigger, whatever else it
  promises, keeps it. The rules, with the sections of the rules document
  (autoconfirm-conformance rules) that steps/cognito.go cites for each:

    - the answer is the event, a JSON object, with "response" an object whose
      flags, where present, are true or false (rules §1);
    - no verify flag is set unless autoConfirmUser is set too (rules §2);
    - no verify flag is set for an email address or phone number that the
      user did not give: Cognito would refuse the sign-up (rules §3);
    - the answer comes within Cognito's 5 seconds: a trigger that times out,
      or whose runtime fails, fails the sign-up (rules §4).

  A trigger may refuse any sign-up, an administrator's AdminCreateUser and an
  identity-provider user included, for its own reasons: Cognito passes the
  refusal to the caller, and that is what a pre sign-up trigger is for
  (rules §5). Cognito ignores the flags on AdminCreateUser (rules §6).

  Cognito checks the format of an email address and a phone number in
  SignUp and AdminCreateUser before the trigger runs, so an empty or invalid
  value never reaches a trigger from Cognito (rules §7): what a trigger does
  with one is judged by defensive.feature, not here.

  Scenario Outline: Cognito accepts the answer: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the answer is one Cognito accepts

    Examples: Ordinary sign-ups
      | who                                                     | event             |
      | a user who gives only an email address                  | email-only        |
      | a user who gives only a phone number                    | phone-only        |
      | a user who gives both an email address and phone        | email-and-phone   |
      | a user who gives neither                                | neither           |
      | the app passes client metadata and validation data      | client-metadata   |
      | the user has custom and extra standard attributes       | extra-attributes  |
      | the pool signs users in with their email address        | email-as-username |
      | a newer event carries fields this version does not know | future-fields     |

    Examples: The other ways into the pool
      | who                                                     | event             |
      | an administrator creates the user                       | admin-create-user |
      | a user signs in first through an identity provider      | external-provider |
