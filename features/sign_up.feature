@signup
Feature: New users are confirmed and their contact details verified at sign-up
  A new user who signs up by themselves is confirmed straight away, so no one-time
  password is sent. Their email address and phone number are marked verified, but
  only when the value is one Cognito can accept as verified: a real-looking email
  address, and a phone number in international E.164 form such as +15555550100.
  Cognito refuses the whole sign-up if the trigger verifies something that is
  missing or empty, so anything doubtful is left unverified instead; the
  scenarios of cognito.feature judge that.

  The promise of auto-confirmation is what the AWS article promises, done
  right: every sign-up confirmed (@confirm), every ordinary email address
  (@verify-email) and phone number (@verify-phone) that nobody else holds
  verified. The profile auto-confirm names all three; a trigger that verifies
  only email addresses, for a pool without phone numbers, claims confirm and
  verify-email. Events that Cognito's own validation stops (an empty or
  invalid value) are judged apart, by defensive.feature. The last scenario is
  autoconfirm's own (@autoconfirm): it hands the event back exactly as it came,
  with only the flags changed.

  @confirm
  Scenario Outline: Every sign-up is confirmed: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed

    Examples:
      | who                                                     | event             |
      | a user who gives only an email address                  | email-only        |
      | a user who gives only a phone number                    | phone-only        |
      | a user who gives both an email address and phone        | email-and-phone   |
      | a user who gives neither                                | neither           |
      | the app passes client metadata and validation data      | client-metadata   |
      | the user has custom and extra standard attributes       | extra-attributes  |

  @verify-email
  Scenario Outline: An ordinary email address is verified: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified

    Examples:
      | who                                                     | event             |
      | a user who gives only an email address                  | email-only        |
      | a user who gives both an email address and phone        | email-and-phone   |
      | the app passes client metadata and validation data      | client-metadata   |
      | the user has custom and extra standard attributes       | extra-attributes  |
      | the pool signs users in with their email address        | email-as-username |
      | a newer event carries fields this version does not know | future-fields     |

  @verify-phone
  Scenario Outline: A phone number in E.164 form is verified: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the phone number is verified

    Examples:
      | who                                                     | event             |
      | a user who gives only a phone number                    | phone-only        |
      | a user who gives both an email address and phone        | email-and-phone   |
      | the app passes client metadata and validation data      | client-metadata   |

  @autoconfirm
  Scenario Outline: The event comes back as it was sent, but for the flags: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address <email> verified
    And the phone number <phone> verified
    And the rest of the event comes back unchanged

    Examples: What the user gave
      | who                                               | event            | email  | phone  |
      | A user who gives only an email address            | email-only       | is     | is not |
      | A user who gives only a phone number              | phone-only       | is not | is     |
      | A user who gives both an email address and phone  | email-and-phone  | is     | is     |
      | A user who gives neither                          | neither          | is not | is not |

    Examples: Values that are empty or cannot be verified
      | who                                               | event            | email  | phone  |
      | A user whose email address is empty               | empty-email      | is not | is     |
      | A user whose phone number is empty                | empty-phone      | is     | is not |
      | The AWS article's own test event                  | article-sample   | is not | is not |
      | A user whose email address is only spaces         | whitespace-email | is not | is     |
      | A user whose phone number is not in E.164 form    | phone-not-e164   | is     | is not |

    Examples: Events as Cognito really sends them
      | who                                               | event             | email  | phone  |
      | Cognito sends validationData as null              | email-only        | is     | is not |
      | The app passes client metadata and validation data | client-metadata  | is     | is     |
      | The user has custom and extra standard attributes | extra-attributes  | is     | is not |
      | The pool signs users in with their email address  | email-as-username | is     | is not |
      | A newer event carries fields this version does not know | future-fields | is  | is not |
