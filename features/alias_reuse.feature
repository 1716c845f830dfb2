@alias
Feature: A new sign-up never takes over another user's verified email or phone
  In a pool where the email address or phone number is an alias for signing in,
  verifying a value that another user has already verified moves the alias to the
  new user and leaves the old user unable to sign in with it. Anyone could take
  over someone else's sign-in email just by signing up with it. So before it
  verifies, the trigger asks the pool who already holds the value.

  What happens when someone else holds it verified depends on the alias policy:
    skip-verify (the default): the new user is confirmed, but that value stays unverified
    reject: the sign-up is refused, without saying who holds the value
    allow: the value is verified anyway, as in the AWS article (the alias may move)

  Before it verifies, the trigger learns which attributes are aliases in the pool,
  and asks the pool who holds each value. Only a verified value is an alias, and
  an email address matches in any letter case.

  If the pool cannot be asked (an error, throttling, a slow answer), the value is
  left unverified: the trigger fails closed, and still answers in time. The
  time limits below are generous on purpose: they tell a budget that works
  (a few hundred milliseconds) from one that does not (the pool's ten seconds).

  The promise that matters to every trigger that verifies (@alias-safe) is
  only this: a value another user holds verified is never verified for the
  new user. Leaving it unverified and refusing the sign-up both keep it. The
  policies, their texts, the lookups made and failing closed are autoconfirm's
  own choices (@autoconfirm).

  @alias-safe
  Scenario: Someone else has verified the email address
    Given a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe
  Scenario: Someone else has verified the phone number
    Given a new user signs up with the event "alias-phone"
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the phone number is left unverified or the sign-up is refused

  @alias-safe
  Scenario: Someone else has verified the email address; the new user also gives a phone number
    Given a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe
  Scenario: Both the email address and the phone number are held by others
    Given a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused
    And the phone number is left unverified or the sign-up is refused

  @alias-safe
  Scenario: One user has the email address unverified, and another has verified it
    Given a new user signs up with the event "alias-email"
    And another user already has this email address but has not verified it
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe @email-case
  Scenario: Someone else has verified the email address, written in other letter case
    Given a new user signs up with the event "alias-email"
    And another user already has the verified email address "Sam.Taylor@EXAMPLE.com"
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe
  Scenario: Someone whose account is disabled has verified the email address
    Given a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it, but is disabled
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe @filter-escaping
  Scenario: Someone else has verified an email address with a quote in it
    Given a new user signs up with the event "alias-quote-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @alias-safe @paging @fake-pool
  Scenario: The user who holds the email address is on the third page of results
    Given the function looks users up with ListUsers
    And a new user signs up with the event "alias-paged"
    And the pool already holds the users in "paged-holder"
    And the pool answers 5 users per page
    When the sign-up reaches the pre sign-up trigger
    Then the email address is left unverified or the sign-up is refused

  @autoconfirm
  Scenario: Someone else has verified the email address (default policy: confirm, leave it unverified)
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the pool is asked who holds this email address

  @autoconfirm @policy-reject
  Scenario: Someone else has verified the email address, and the policy is to refuse
    Given the alias policy is "reject"
    And a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "email address"
    And the refusal does not name the other user

  @autoconfirm @policy-allow
  Scenario: Someone else has verified the email address, and the policy allows it
    Given the alias policy is "allow"
    And a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified
    And the pool is not looked up

  @autoconfirm @email-case
  Scenario: The letter case of an email address does not matter to the guard
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-email"
    And another user already has the verified email address "Sam.Taylor@EXAMPLE.com"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified

  @autoconfirm
  Scenario: A disabled holder still holds the email address (default policy)
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-email"
    And another user already has this email address and has verified it, but is disabled
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified

  @autoconfirm @policy-reject
  Scenario: The user who holds the email address has no phone number, and the policy is to refuse
    Given the alias policy is "reject"
    And a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "email address"

  @autoconfirm
  Scenario: Someone else has the email address but never verified it
    Given a new user signs up with the event "alias-email"
    And another user already has this email address but has not verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified

  @autoconfirm
  Scenario: Someone else has verified the phone number (default policy)
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-phone"
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the phone number is not verified
    And the pool is asked who holds this phone number

  @autoconfirm @policy-reject
  Scenario: Someone else has verified the phone number, and the policy is to refuse
    Given the alias policy is "reject"
    And a new user signs up with the event "alias-phone"
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "phone number"
    And the refusal does not name the other user

  @autoconfirm
  Scenario: Someone else has the phone number but never verified it
    Given a new user signs up with the event "alias-phone"
    And another user already has this phone number but has not verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the phone number is verified

  @autoconfirm
  Scenario: Only the email address is taken; the phone number is still verified
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the phone number is verified
    And the pool is looked up 2 times

  @autoconfirm
  Scenario: Both the email address and the phone number are taken
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the phone number is not verified

  @autoconfirm @policy-reject
  Scenario: Both are taken, and the policy is to refuse
    Given the alias policy is "reject"
    And a new user signs up with the event "alias-both"
    And another user already has this email address and has verified it
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the sign-up is refused
    And the refusal says "email address"
    And the refusal says "phone number"
    And the refusal does not name the other user

  @autoconfirm @fake-pool
  Scenario: In a pool whose only alias is the email address, only the email address is looked up
    Given a new user signs up with the event "alias-both"
    And the pool's only alias attribute is the email address
    And another user already has this phone number and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified
    And the phone number is verified
    And the pool is looked up 1 time

  @autoconfirm @fake-pool
  Scenario: In a pool that uses the email address as the username, nothing is looked up
    Given a new user signs up with the event "alias-both"
    And the pool uses the email address as the username
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified
    And the phone number is verified
    And the pool is not looked up

  @autoconfirm @fake-pool
  Scenario: When the pool's aliases cannot be read, both values are looked up
    Given a new user signs up with the event "alias-both"
    And the pool's configuration cannot be read
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified
    And the phone number is verified
    And the pool is looked up 2 times

  @autoconfirm
  Scenario: An email address too long to name a user is not verified when the function asks AdminGetUser
    Given the function looks users up with AdminGetUser
    And a new user signs up with the event "alias-long-email"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the pool is not looked up

  @autoconfirm
  Scenario: An email address too long to name a user is searched for when the function uses ListUsers
    Given the function looks users up with ListUsers
    And a new user signs up with the event "alias-long-email"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is verified
    And the pool is asked who holds this email address

  @autoconfirm
  Scenario: Nothing to verify means nothing to look up
    Given a new user signs up with the event "neither"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the pool is not looked up

  @autoconfirm @filter-escaping
  Scenario: An email address with a quote in it is looked up exactly
    Given the alias policy is "skip-verify"
    And a new user signs up with the event "alias-quote-email"
    And another user already has this email address and has verified it
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the pool is asked who holds this email address

  # Escaping the quote (as autoconfirm does) or refusing to look the value up
  # (and so not verifying it) are both correct; widening the lookup is not.
  @autoconfirm
  Scenario: A crafted email address cannot widen the lookup
    Given a new user signs up with the event "alias-crafted-email"
    And another user already has the verified email address "victim@example.com"
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And no lookup asks about anything but this email address

  @autoconfirm @paging @fake-pool
  Scenario: The guard reads every page of results until it finds the holder
    Given the function looks users up with ListUsers
    And a new user signs up with the event "alias-paged"
    And the pool already holds the users in "paged-holder"
    And the pool answers 5 users per page
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the pool is looked up 3 times

  @autoconfirm @faults @fake-pool
  Scenario Outline: The pool cannot be asked: <what>
    Given a new user signs up with the event "alias-both"
    And the lookup budget is 300 milliseconds
    And the pool lookup <fault>
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the phone number is not verified
    And the answer comes back within 3000 milliseconds

    Examples:
      | what                          | fault                                 |
      | a server error                | fails with a server error             |
      | throttling                    | is throttled                          |
      | a reply that is not JSON      | returns a reply that is not JSON      |
      | a dropped connection          | drops the connection                  |
      | no answer at all              | never answers                         |
      | the pool does not exist       | reports that the pool does not exist  |
      | a refused connection          | cannot connect                        |

  @autoconfirm @faults @fake-pool
  Scenario: Fifty pages of results are more than the guard reads
    Given the function looks users up with ListUsers
    And a new user signs up with the event "alias-paged"
    And the pool holds 300 other users with this email address, none of them verified
    And the pool answers 6 users per page
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the pool is looked up 10 times

  @autoconfirm @faults @fake-pool
  Scenario: The invocation has less time left than the lookup budget
    Given a new user signs up with the event "alias-email"
    And the invocation has 400 milliseconds left
    And the pool takes 10000 milliseconds to answer each lookup
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the answer comes back within 3000 milliseconds

  @autoconfirm @faults @fake-pool
  Scenario: The pool answers too slowly
    Given a new user signs up with the event "alias-email"
    And the lookup budget is 300 milliseconds
    And the pool takes 10000 milliseconds to answer each lookup
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified
    And the answer comes back within 3000 milliseconds

  @autoconfirm @faults @fake-pool @policy-reject
  Scenario: A failed lookup is not a conflict, even when the policy is to refuse
    Given the alias policy is "reject"
    And a new user signs up with the event "alias-email"
    And the pool lookup is throttled
    When the sign-up reaches the pre sign-up trigger
    Then the user is confirmed
    And the email address is not verified

  # What Cognito answers a lookup under load or failure (rules §12): it
  # throttles (TooManyRequestsException, HTTP 400), fails now and then
  # (InternalErrorException, HTTP 500), or answers late but inside the 5 s
  # Cognito waits for the trigger: after 1.5 s, or after 2.4 s, well into
  # the 3 s a function has by default, which a guard that gives up sooner
  # and verifies does not wait for. A trigger that does not know whether
  # another user holds the value must not verify it: refusing the sign-up,
  # leaving the value unverified, or waiting and then deciding right all keep
  # it; so does a sign-up that fails because the SDK's retries outlast the
  # function's timeout. Only this scenario's own value fails, in the fake pool
  # in process and in `local`'s pool, so the scenarios beside it never meet
  # the fault.
  @alias-safe @lookup-faults
  Scenario Outline: Someone else has verified the <what>, and every lookup of it <fault>
    Given a new user signs up with the event "<event>"
    And another user already has this <what> and has verified it
    And every lookup of this <what> <fault>
    When the sign-up reaches the pre sign-up trigger
    Then the <what> is left unverified, or the sign-up does not go through

    Examples:
      | what          | event       | fault                               |
      | email address | alias-email | is throttled                        |
      | email address | alias-email | fails with an internal error        |
      | email address | alias-email | is answered after 2400 milliseconds |
      | phone number  | alias-phone | is throttled                        |
      | phone number  | alias-phone | fails with an internal error        |
      | phone number  | alias-phone | is answered after 1500 milliseconds |
