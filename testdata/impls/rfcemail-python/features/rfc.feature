@rfc-email
Feature: Addresses are held to RFC 5321
  Scenario: a 64-character local part is confirmed
    Given a new user signs up with the event "long64"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed

  Scenario Outline: <what> is refused
    Given a new user signs up with the event "<event>"
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused

    Examples:
      | what                   | event   |
      | a 65-character part    | long65  |
      | a numeric local part   | numeric |
