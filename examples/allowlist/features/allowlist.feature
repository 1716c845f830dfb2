@allow-list
Feature: Only staff may sign up
  Our internal app is open to people with an address at example.com. They are
  confirmed at once, and verify their address in the app. Anyone else is
  refused with a message that says why. Administrators may create anyone.

  Scenario: A member of staff signs up
    Given a new user signs up with the event "staff"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified

  Scenario: A member of staff writes the domain in capitals
    Given a new user signs up with the event "staff-capitals"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed

  Scenario Outline: Someone from outside signs up: <who>
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "work email address"

    Examples:
      | who                                   | event           |
      | an address at another domain          | outsider        |
      | a look-alike domain                   | lookalike       |
      | no email address, only a phone number | outsider-phone-only |
