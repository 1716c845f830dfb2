package stack

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
)

// TestUsers counts the users a conformance run created and has not yet
// deleted: those named with targets.UserPrefix.
func (s *Stack) TestUsers(ctx context.Context) (int, error) {
	test, _, err := s.Users(ctx)
	return test, err
}

// Users counts, with one read of the pool, the test users a conformance run
// left in it and the users no run named: the pool starts empty, so the
// handler made those, with AdminCreateUser or SignUp of its own.
func (s *Stack) Users(ctx context.Context) (test, other int, err error) {
	out, err := s.API.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		return 0, 0, fmt.Errorf("counting the users left in the pool: %w", err)
	}
	for _, u := range out.Users {
		if strings.HasPrefix(aws.ToString(u.Username), targets.UserPrefix) {
			test++
		} else {
			other++
		}
	}
	return test, other, nil
}

// Crashed is closed when the stack cannot go on: the emulator died on its
// own, or the handler asked Cognito for another pool than the run's. Err
// says why.
func (s *Stack) Crashed() <-chan struct{} { return s.pool.ended }

// Err is why the stack cannot go on, or nil.
func (s *Stack) Err() error {
	if err := s.pool.Err(); err != nil {
		return err
	}
	if err := s.rie.Err(); err != nil {
		return fmt.Errorf("%w; its log ends:\n%s", err, s.EmulatorLogTail(20))
	}
	return nil
}

// Invoke sends one event to the trigger the way Cognito does, through the
// gateway, and returns the answer Cognito would act on, how many times the
// handler ran, and how long it all took.
func (s *Stack) Invoke(ctx context.Context, event []byte) (rie.Result, int, time.Duration, error) {
	start := time.Now()
	res, n, err := s.Gateway.AsCognito(ctx, event)
	return res, n, time.Since(start), err
}

// Ended says whether, how often and why a function was ended for holding
// more than Lambda lets it: "" when never.
func (s *Stack) Ended() string { return s.rie.Ended() }

// EmulatorLogTail returns the last n lines the emulator and the handler
// printed.
func (s *Stack) EmulatorLogTail(n int) string {
	lines := strings.Split(strings.TrimRight(string(s.rieOut.Bytes()), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// Logs returns what cognito-local and the emulator printed.
func (s *Stack) Logs() (cognitoLocal, emulator []byte) { return s.nodeOut.Bytes(), s.rieOut.Bytes() }
