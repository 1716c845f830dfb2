// Package stack runs a user pool on this machine: cognito-local as the
// pool, the Lambda Runtime Interface Emulator running a bootstrap as its
// PreSignUp trigger, and a gateway that makes the emulator answer like Lambda.
// The live-local command and the end-to-end tests both start it; Close stops
// everything it started.
package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
	"github.com/autoconfirm/autoconfirm/targets"
)

// Options say what to run.
type Options struct {
	// Root is the checkout, where node_modules holds cognito-local; used
	// when CognitoLocal is empty.
	Root string
	// CognitoLocal is cognito-local's start.js; RIE the emulator's binary,
	// or empty for the module's pinned tool.
	CognitoLocal, RIE string
	// Bootstrap is the Lambda binary to run as the trigger.
	Bootstrap string
	// Env is added to the trigger's environment, after this process's own;
	// the stack adds the pool's endpoint, and a region and dummy credentials
	// if the environment sets none.
	Env []string
}

// Stack is a running local pool and trigger.
type Stack struct {
	CognitoURL, GatewayURL string
	// TriggerCognitoURL is where the trigger reaches the pool: cognito-local
	// behind a resolver that makes AdminGetUser resolve verified aliases.
	TriggerCognitoURL string
	PoolID, ClientID  string
	Secret            string
	API               *cip.Client
	Gateway           *gateway.Gateway

	dir    string
	rie    *rie.Proc
	server *http.Server
	// resolver serves TriggerCognitoURL.
	resolver *http.Server
	node     *exec.Cmd
	nodeEnd  chan struct{} // closed when node has exited
	nodeOut  bytes.Buffer
	rieOut   bytes.Buffer
}

// Start starts the stack: the gateway's port, bound here; cognito-local with
// a pool whose aliases are email and phone number and an app client with a
// secret; then the trigger. On error it stops what it started.
func Start(ctx context.Context, o Options) (s *Stack, err error) {
	startJS := o.CognitoLocal
	if startJS == "" {
		startJS = filepath.Join(o.Root, "node_modules/cognito-local/lib/bin/start.js")
	}
	if _, err := os.Stat(startJS); err != nil {
		return nil, fmt.Errorf("cognito-local is not installed (%v); run `npm ci` (make live-local does)", err)
	}
	if _, err := exec.LookPath("node"); err != nil {
		return nil, errors.New("node is not on PATH; the local stack needs Node.js 20 or later for cognito-local")
	}
	s = &Stack{}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	if s.dir, err = os.MkdirTemp("", "autoconfirm-local-stack-"); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.server = &http.Server{}
	s.GatewayURL = fmt.Sprintf("http://%s", ln.Addr())
	if s.CognitoURL, err = s.startCognitoLocal(ctx, startJS); err != nil {
		ln.Close()
		return nil, err
	}
	// The trigger reaches cognito-local through a resolver that makes
	// AdminGetUser answer for a verified alias, as Cognito does.
	resolver, err := newAliasResolver(s.CognitoURL, []string{"email", "phone_number"})
	if err != nil {
		ln.Close()
		return nil, err
	}
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.resolver = &http.Server{Handler: resolver}
	go s.resolver.Serve(rln)
	s.TriggerCognitoURL = fmt.Sprintf("http://%s", rln.Addr())
	env := append([]string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER=" + s.TriggerCognitoURL}, o.Env...)
	for k, v := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"} {
		if os.Getenv(k) == "" {
			env = append(env, k+"="+v)
		}
	}
	bin := o.RIE
	if bin == "" {
		if bin, err = rie.Binary(ctx); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if s.rie, err = rie.Start(ctx, bin, o.Bootstrap, env, &s.rieOut); err != nil {
		ln.Close()
		return nil, err
	}
	s.Gateway = gateway.New(s.rie)
	s.server.Handler = s.Gateway
	go s.server.Serve(ln)
	s.API = cip.New(cip.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.CognitoURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	pool, err := s.API.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:        aws.String("autoconfirm-live-local"),
		AliasAttributes: []types.AliasAttributeType{types.AliasAttributeTypeEmail, types.AliasAttributeTypePhoneNumber},
		LambdaConfig:    &types.LambdaConfigType{PreSignUp: aws.String("arn:aws:lambda:us-east-1:000000000000:function:PreSignUp")},
	})
	if err != nil {
		return nil, fmt.Errorf("creating the local pool: %w", err)
	}
	s.PoolID = aws.ToString(pool.UserPool.Id)
	client, err := s.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(s.PoolID), ClientName: aws.String("autoconfirm-conformance"), GenerateSecret: true,
	})
	if err != nil {
		return nil, fmt.Errorf("creating the local app client: %w", err)
	}
	s.ClientID, s.Secret = aws.ToString(client.UserPoolClient.ClientId), aws.ToString(client.UserPoolClient.ClientSecret)
	if s.Secret == "" {
		return nil, errors.New("cognito-local created the app client without a secret; SecretHash would go untested")
	}
	return s, nil
}

// startCognitoLocal starts cognito-local on a free port, with the gateway as
// its Lambda endpoint, and returns its URL. cognito-local binds its port
// itself, so a start that loses the port to another process is retried on
// another.
func (s *Stack) startCognitoLocal(ctx context.Context, startJS string) (string, error) {
	if err := os.MkdirAll(filepath.Join(s.dir, ".cognito"), 0o755); err != nil {
		return "", err
	}
	for attempt := 1; ; attempt++ {
		port, err := rie.FreePort()
		if err != nil {
			return "", err
		}
		cfg := fmt.Sprintf(`{"LambdaClient":{"endpoint":%q,"credentials":{"accessKeyId":"local","secretAccessKey":"local"},"region":"us-east-1"},"TriggerFunctions":{"PreSignUp":"PreSignUp"},"UserPoolDefaults":{"UsernameAttributes":[]},"ServerConfig":{"hostname":"127.0.0.1","port":%d}}`, s.GatewayURL, port)
		if err := os.WriteFile(filepath.Join(s.dir, ".cognito", "config.json"), []byte(cfg), 0o644); err != nil {
			return "", err
		}
		s.nodeOut.Reset()
		s.node = exec.Command("node", startJS)
		s.node.Dir = s.dir
		s.node.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", port))
		s.node.Stdout, s.node.Stderr = &s.nodeOut, &s.nodeOut
		s.node.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := s.node.Start(); err != nil {
			return "", fmt.Errorf("starting cognito-local: %w", err)
		}
		s.nodeEnd = make(chan struct{})
		go func(cmd *exec.Cmd, end chan struct{}) { cmd.Wait(); close(end) }(s.node, s.nodeEnd)
		err = rie.WaitListening(ctx, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second, s.nodeEnd)
		switch {
		case err == nil:
			return fmt.Sprintf("http://127.0.0.1:%d", port), nil
		case errors.Is(err, rie.ErrExited) && attempt < 3:
			continue
		}
		return "", fmt.Errorf("cognito-local: %w\n%s", err, s.nodeOut.Bytes())
	}
}

// TestUsers counts the users a conformance run created and has not yet
// deleted: those named with targets.UserPrefix.
func (s *Stack) TestUsers(ctx context.Context) (int, error) {
	out, err := s.API.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil {
		return 0, fmt.Errorf("counting leftover test users: %w", err)
	}
	n := 0
	for _, u := range out.Users {
		if strings.HasPrefix(aws.ToString(u.Username), targets.UserPrefix) {
			n++
		}
	}
	return n, nil
}

// Logs returns what cognito-local and the emulator printed.
func (s *Stack) Logs() (cognitoLocal, emulator []byte) { return s.nodeOut.Bytes(), s.rieOut.Bytes() }

// Close stops everything the stack started and removes its directory.
func (s *Stack) Close() {
	if s.server != nil && s.server.Handler != nil {
		s.server.Close()
	}
	if s.resolver != nil {
		s.resolver.Close()
	}
	if s.rie != nil {
		s.rie.Stop()
	}
	if s.node != nil && s.node.Process != nil {
		syscall.Kill(-s.node.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.nodeEnd:
		case <-time.After(3 * time.Second):
			syscall.Kill(-s.node.Process.Pid, syscall.SIGKILL)
			<-s.nodeEnd
		}
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}
