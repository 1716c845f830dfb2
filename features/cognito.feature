@cognito
Feature: Every answer is one Cognito accepts
  This is Cognito's own contract, and nothing more: what Cognito enforces on
  the trigger's answer, so that no sign-up fails because of it. Any correct
  pre sign-up trigger, whatever else it promises, keeps it. The rules, with
  the facts-sheet sections that steps/cognito.go cites for each:

    - the answer is the event, a JSON object, with "response" an object whose
      flags, where present, are true or false (facts §1.1, §1.2, §2.3);
    - no verify flag is set unless autoConfirmUser is set too (facts §2.2);
    - no verify flag is set for an email address or phone number that is
      missing, empty or invalid: Cognito would refuse the sign-up (facts §2.1);
    - an administrator's AdminCreateUser is never refused; Cognito ignores all
      three flags there, so they may be anything (facts §1.4).

  A trigger may refuse a sign-up or an identity-provider user for its own
  reasons: that is what a pre sign-up trigger is for. Only the answer's form
  is judged here. Invalid means invalid by any reading: an email address
  that is blank, holds a control character or has no '@' between two parts,
  and a phone number that is not in E.164 form such as +15555550100.

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

    @empty-value
    Examples: Values that are empty
      | who                                                     | event             |
      | a user whose email address is empty                     | empty-email       |
      | a user whose phone number is empty                      | empty-phone       |
      | the AWS article's own test event                        | article-sample    |

    Examples: Values that are not valid
      | who                                                     | event             |
      | a user whose email address is only spaces               | whitespace-email  |
      | a user whose phone number is not in E.164 form          | phone-not-e164    |
      | a phone number written with spaces                      | bad/phone-spaces  |
      | a phone number written with dashes                      | bad/phone-dashes  |
      | a phone number without its plus sign                    | bad/phone-no-plus |
      | a phone number whose country code starts with 0         | bad/phone-plus-zero |
      | a phone number of more than 15 digits                   | bad/phone-too-long |
