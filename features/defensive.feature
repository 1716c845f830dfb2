@defensive
Feature: Values Cognito's own validation stops are left unverified
  Cognito checks the format of an email address and a phone number in SignUp
  and AdminCreateUser before the pre sign-up trigger runs, and refuses the
  request itself (rules §7). So these events reach a trigger only from a
  console test event or a hand-made fixture, never from Cognito's own
  sign-ups; the AWS article's test event is one of them. A trigger that
  verifies such a value is correct for every event Cognito sends, so this is
  not Cognito's contract (@cognito): it is a trigger's defence against events
  that bypass Cognito, for teams that want one to claim.

  A defensive trigger confirms the user, verifies what is valid, and leaves
  anything empty or invalid unverified, since Cognito would refuse a verify
  flag for it. What is sourced and what is inferred, row by row:

    - sourced: a phone number not in E.164 form gets "Invalid phone number
      format." and an empty one "phone number validation failed" (rules §7);
    - sourced: a malformed email address gets "Invalid email address
      format." (rules §7);
    - inferred: an empty or blank email address is refused the same way; no
      stored source shows it.

  Scenario Outline: An empty or invalid value is not verified: <who> (<why>)
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the answer verifies no value that is empty or invalid

    @empty-value
    Examples: Values that are empty
      | who                                             | event             | why                                              |
      | a user whose email address is empty             | empty-email       | inferred from "Invalid email address format."    |
      | a user whose phone number is empty              | empty-phone       | sourced: "phone number validation failed"        |
      | the AWS article's own test event                | article-sample    | a console test event: empty email, phone not E.164 |

    Examples: Values that are not valid
      | who                                             | event               | why                                            |
      | a user whose email address is only spaces       | whitespace-email    | inferred from "Invalid email address format."  |
      | a user whose phone number is not in E.164 form  | phone-not-e164      | sourced: "Invalid phone number format."        |
      | a phone number written with spaces              | bad/phone-spaces    | sourced: "Invalid phone number format."        |
      | a phone number written with dashes              | bad/phone-dashes    | sourced: "Invalid phone number format."        |
      | a phone number without its plus sign            | bad/phone-no-plus   | sourced: "Invalid phone number format."        |
      | a phone number whose country code starts with 0 | bad/phone-plus-zero | sourced: "Invalid phone number format."        |
      | a phone number of more than 15 digits           | bad/phone-too-long  | sourced: "Invalid phone number format."        |

  Scenario Outline: The user is still confirmed, and the valid value verified: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the <valid> is verified

    Examples:
      | who                                             | event            | valid         |
      | a user whose phone number is empty              | empty-phone      | email address |
      | a user whose phone number is not in E.164 form  | phone-not-e164   | email address |
      | a user whose email address is empty             | empty-email      | phone number  |
      | a user whose email address is only spaces       | whitespace-email | phone number  |

  Scenario: The AWS article's own test event is confirmed
    Given a new user signs up with the event "article-sample"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
