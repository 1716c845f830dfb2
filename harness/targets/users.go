package targets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/autoconfirm/autoconfirm/presignup"
)

// Users is the part of Cognito a live run creates, lists and deletes its
// users with. *cognitoidentityprovider.Client is one; so is a client of
// cognitofake, in tests.
type Users interface {
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
	ListUsers(context.Context, *cip.ListUsersInput, ...func(*cip.Options)) (*cip.ListUsersOutput, error)
	AdminGetUser(context.Context, *cip.AdminGetUserInput, ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
}

// admin creates and deletes the users of a live run, and remembers which it
// created so that none is left behind.
type admin struct {
	api    Users
	poolID string
	// own is this run's username prefix: a user by such a name that
	// already exists was created by this run's own earlier attempt.
	own string
	ops chan struct{} // bounds concurrent calls, to stay under the quotas
	// faults, when the run controls the pool, injects scenarios' lookup faults.
	faults *faultLedger

	mu       sync.Mutex
	created  map[*Input][]string
	closed   bool
	running  sync.WaitGroup // sign-ups in flight
	cleaning sync.WaitGroup // per-scenario cleanups in flight
}

func newAdmin(api Users, poolID string, concurrency int) *admin {
	if concurrency < 1 {
		concurrency = 1
	}
	return &admin{api: api, poolID: poolID, ops: make(chan struct{}, concurrency), created: map[*Input][]string{}}
}

// errClosed is returned once the run is being torn down.
var errClosed = errors.New("the run is shutting down; no new users are created")

// begin registers a Run in flight, unless the run is closing.
func (a *admin) begin() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errClosed
	}
	a.running.Add(1)
	return nil
}

func (a *admin) end() { a.running.Done() }

// slot waits for a free call slot.
func (a *admin) slot(ctx context.Context) (func(), error) {
	select {
	case a.ops <- struct{}{}:
		return func() { <-a.ops }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// remember records a user the run created for in.
func (a *admin) remember(in *Input, username string) {
	a.mu.Lock()
	a.created[in] = append(a.created[in], username)
	a.mu.Unlock()
}

// forget drops a user the run recorded but that the service refused to
// create, so that cleanup never deletes a user of the same name that someone
// else created (another run with the same id, or a user of the pool).
func (a *admin) forget(in *Input, username string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	names := a.created[in]
	for i, n := range names {
		if n == username {
			a.created[in] = append(names[:i], names[i+1:]...)
			return
		}
	}
}

// refused reports whether err is the service's definite refusal of a request
// (a client fault such as UsernameExistsException or throttling), after which
// the user was not created. A network error or a server fault leaves the
// outcome unknown.
func refused(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorFault() == smithy.FaultClient
}

// usernameExists reports whether err is Cognito's UsernameExistsException.
func usernameExists(err error) bool {
	var exists *types.UsernameExistsException
	return errors.As(err, &exists)
}

// createHolder creates an existing user with the given attributes (values
// already mapped), without sending any message.
func (a *admin) createHolder(ctx context.Context, in *Input, username string, attrs map[string]string) error {
	release, err := a.slot(ctx)
	if err != nil {
		return err
	}
	defer release()
	var ua []types.AttributeType
	for k, v := range attrs {
		if k == "sub" {
			continue // Cognito assigns it
		}
		ua = append(ua, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	a.remember(in, username) // before the call: a timeout may still create it
	_, err = a.api.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:        aws.String(a.poolID),
		Username:          aws.String(username),
		UserAttributes:    ua,
		MessageAction:     types.MessageActionTypeSuppress,
		TemporaryPassword: aws.String(Password()),
	})
	if usernameExists(err) && a.own != "" && strings.HasPrefix(username, a.own) {
		return nil // the SDK's retry of a call that created it (see Pool.Run)
	}
	if refused(err) {
		a.forget(in, username)
	}
	if err != nil {
		return fmt.Errorf("creating the existing user %s: %w", username, err)
	}
	return nil
}

// seed creates the scenario's existing users, with this run's values.
func (a *admin) seed(ctx context.Context, in *Input, data *ScenarioData) error {
	for i, h := range in.Holders {
		attrs := make(map[string]string, len(h.Attributes))
		for k, v := range h.Attributes {
			attrs[k] = data.Value(k, v)
		}
		if err := a.createHolder(ctx, in, data.Username(fmt.Sprintf("holder%d", i+1)), attrs); err != nil {
			return err
		}
	}
	return nil
}

// unverified names what the scenario's existing users held verified when
// they were made and no longer do: a handler may write other users'
// attributes, which its role may allow, and marking a holder's value
// unverified takes the alias from them as surely as verifying it for the
// new user does (rules §8; red team round 26).
func (a *admin) unverified(ctx context.Context, in *Input, data *ScenarioData) ([]string, error) {
	var lost []string
	for i, h := range in.Holders {
		username := data.Username(fmt.Sprintf("holder%d", i+1))
		var held []string
		for _, attr := range []string{presignup.AttrEmail, presignup.AttrPhone} {
			if h.Attributes[attr+"_verified"] == "true" {
				held = append(held, attr)
			}
		}
		if len(held) == 0 {
			continue
		}
		release, err := a.slot(ctx)
		if err != nil {
			return nil, err
		}
		user, err := a.api.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(a.poolID), Username: aws.String(username)})
		release()
		if err != nil {
			return nil, fmt.Errorf("reading the existing user %s again: %w", username, err)
		}
		for _, attr := range held {
			if !hasValue(user.UserAttributes, attr+"_verified", "true") {
				lost = append(lost, fmt.Sprintf("holder%d's %s", i+1, attr))
			}
		}
	}
	return lost, nil
}

// readHolders adds to a sign-up's observation what its existing users no
// longer hold verified (unverified), once the handler has answered.
func (a *admin) readHolders(ctx context.Context, in *Input, data *ScenarioData, obs *Observation, err error) (*Observation, error) {
	if err != nil || obs == nil {
		return obs, err
	}
	if obs.Unverified, err = a.unverified(ctx, in, data); err != nil {
		return nil, redacted{data.Redact(err.Error()), err}
	}
	return obs, nil
}

func hasValue(attrs []types.AttributeType, name, value string) bool {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value) == value
		}
	}
	return false
}

// cleanup deletes the users created for in. Once the run is closing it
// leaves them to Close, so that the process cannot exit halfway through.
func (a *admin) cleanup(ctx context.Context, in *Input) error {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return nil
	}
	users := a.created[in]
	delete(a.created, in)
	a.cleaning.Add(1)
	a.mu.Unlock()
	defer a.cleaning.Done()
	return errors.Join(a.clearFaults(ctx, in), a.deleteAll(ctx, users))
}

// injectFaults starts in's lookup faults on the scenario's test values.
func (a *admin) injectFaults(ctx context.Context, in *Input, data *ScenarioData) error {
	if len(in.ValueFaults) == 0 {
		return nil
	}
	return a.faults.inject(ctx, in, data)
}

// clearFaults ends in's lookup faults, or every one left for a nil in.
func (a *admin) clearFaults(ctx context.Context, in *Input) error {
	if a.faults == nil {
		return nil
	}
	return a.faults.clear(ctx, in)
}

// Close stops new sign-ups, waits for those in flight, and deletes every user
// the run created. It is what a SIGINT or SIGTERM runs.
func (a *admin) Close(ctx context.Context) (int, error) {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.running.Wait(); a.cleaning.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	ferr := a.clearFaults(ctx, nil)
	a.mu.Lock()
	var users []string
	for in, u := range a.created {
		users = append(users, u...)
		delete(a.created, in)
	}
	a.mu.Unlock()
	return len(users), errors.Join(ferr, a.deleteAll(ctx, users))
}

func (a *admin) deleteAll(ctx context.Context, users []string) error {
	var errs []error
	for _, u := range users {
		if err := a.delete(ctx, u); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *admin) delete(ctx context.Context, username string) error {
	release, err := a.slot(ctx)
	if err != nil {
		return err
	}
	defer release()
	_, err = a.api.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(a.poolID), Username: aws.String(username)})
	var nf *types.UserNotFoundException
	if err != nil && !errors.As(err, &nf) && !strings.Contains(err.Error(), "UserNotFoundException") {
		return fmt.Errorf("deleting test user %s: %w", username, err)
	}
	return nil
}

// phoneTaken reports whether anyone in the pool holds the phone number, so
// that a run does not take a number another run is using. A lookup that
// fails counts as taken: passing over a free number costs nothing.
func (a *admin) phoneTaken(phone string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	release, err := a.slot(ctx)
	if err != nil {
		return true
	}
	defer release()
	out, err := a.api.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(a.poolID), Filter: aws.String(`phone_number = "` + phone + `"`), Limit: aws.Int32(1)})
	return err != nil || len(out.Users) > 0
}
