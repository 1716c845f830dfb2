package local

import (
	"fmt"
	"strings"
)

// RoleNotice says what the function's execution role is taken to allow:
// no role, a template's included, is read (rules §16).
const RoleNotice = "NOT AS ON LAMBDA: the function's execution role is not read (nor a template's Role or Policies): its calls on its own pool are answered as a role that allows a pre sign-up trigger's reads and calls would answer them; a role without cognito-idp:ListUsers or AdminGetUser is refused them on Lambda"

// ValuesNotice says how the scenarios' values reach the handler: each
// scenario's are its own, as its users must be in the one pool the
// scenarios share while they run at once.
const ValuesNotice = "each scenario's email addresses and phone numbers are made its own, shape kept: an address keeps its domain, its length and each character's kind, its last six letters and digits spelling the run's next number (pat.doe@example.com may become aaa.aab@example.com; one too short gets letters added), a number other last four digits; a rule on exact addresses or numbers is not judged as written"

// notice says how the local pool differs from Cognito: one line that
// points to the whole text, which --verbose prints.
func (r *run) notice() {
	if r.o.Verbose {
		fmt.Fprintln(r.stdout, EmulatorDifferences)
		return
	}
	r.say("%s", NoticeLine())
}

// NoticeLine is the one line that stands for EmulatorDifferences in a run's
// output: how many ways the local pool differs, and where they are said.
func NoticeLine() string {
	return fmt.Sprintf("the pool is cognito-local, not Cognito: it differs in %d ways, which the run allows for (`autoconfirm-conformance local --verbose` or %s lists them)",
		strings.Count(EmulatorDifferences, "\n  - "), NoticeDoc)
}

// NoticeDoc is the document that holds EmulatorDifferences, a test keeps
// them the same.
const NoticeDoc = "docs/local-pool.md"

// EmulatorDifferences is what a local run cannot judge, because cognito-local
// is not Cognito.
var EmulatorDifferences = strings.TrimSpace(`
cognito-local is not Cognito. Where it differs, and what that means here:
  - it never checks SecretHash (the pool target still sends one, from a client with a secret);
  - it accepts any password, undeclared attributes, non-E.164 phone numbers and malformed emails,
    so invalid values do reach the trigger, which must leave them unverified;
  - it takes any answer it can parse, with no check of Cognito's rules on it; the gateway it
    invokes the trigger through fails, as Cognito does, an answer Cognito cannot read or that
    sets a verify flag without autoConfirmUser or for an attribute the user did not give (rules §14);
  - it invokes the trigger only from SignUp (PreSignUp_SignUp), so the pool target skips the
    AdminCreateUser and ExternalProvider scenarios; the lambda target covers them;
  - it does not move aliases: a second verified holder is allowed, so a missing guard shows up
    as a verified attribute, not as a moved alias;
  - its AdminGetUser resolves an email address or phone number only in email-as-username pools and
    ignores *_verified, and its ListUsers reads \" in a filter literally, matches letter case and
    ignores AttributesToGet; the handler reaches it through a resolver that answers both as Cognito
    documents, refuses what Cognito refuses (Limit outside 0-60, a token it did not issue), and
    pages as Cognito does, so ListUsers and AdminGetUser guards are judged alike;
  - the @autoconfirm fault scenarios (budgets, hangs, replies that are not JSON) need the fake pool
    and skip live; the alias-safe lookup faults (throttling, internal errors, late answers) run here,
    injected by the resolver into each scenario's own values (rules §12);
  - an attribute sent empty in SignUp never reaches the trigger, so at pool depth the "empty"
    scenarios are not observable; the lambda target sees them;
  - concurrent sign-ups each take an idle execution environment, warm, or start a new one,
    cold, as on Lambda, but at most 8 at once, where Lambda allows a function 1,000 by default;
    a Cognito attempt abandoned after 5 s runs on in its own environment, and the retry takes
    another; every environment ends with the run;
  - its events say region "local" and version "0", which the gateway replaces with the stack's
    region and "1", as Cognito sends (rules §21); its pool ids are local_..., where a real pool's
    begins with its region, so a handler that reads the region from the pool id is not judged.`)
