// Package stack runs a user pool on this machine: cognito-local as the
// pool, the Lambda Runtime Interface Emulator running a bootstrap as its
// PreSignUp trigger, a gateway that makes the emulator answer like Lambda
// and invokes it as Cognito does, a resolver that answers the trigger's
// lookups as Cognito documents them, and an endpoint that refuses every other
// AWS service by name. `local` and the end-to-end tests start it; Close stops
// everything it started.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
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

	"github.com/autoconfirm/autoconfirm/harness/poolshape"
	"github.com/autoconfirm/autoconfirm/internal/local/child"
	"github.com/autoconfirm/autoconfirm/internal/local/gateway"
	"github.com/autoconfirm/autoconfirm/internal/local/rie"
	"github.com/autoconfirm/autoconfirm/internal/local/sandbox"
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
	// Env is the trigger's environment, beyond what the stack sets: Lambda's
	// variables for the runtime, then the user's. The trigger inherits
	// nothing from this process: the stack sets a region, dummy
	// credentials and the local endpoints, and Env overrides them.
	Env []string
	// Timeout is the function's timeout; zero means Lambda's default, 3 s.
	Timeout time.Duration
	// MemoryMB is the function's memory size; zero means Lambda's
	// default, 128.
	MemoryMB int
	// Progress hears of sign-ups that Cognito would have invoked more
	// than once; nil discards.
	Progress io.Writer
	// Function, if set, is what the gateway answers to
	// GetFunctionConfiguration; the stack fills in the function's name, ARN,
	// version and timeout.
	Function *gateway.Configuration
	// Shape is the pool's shape; nil is poolshape.Default.
	Shape *poolshape.Shape
	// Sandbox, when set, runs the trigger's environments in it, with
	// Mounts bound read-only (see rie.Config).
	Sandbox *sandbox.Sandbox
	Mounts  []sandbox.Mount
}

// FunctionName and FunctionARN name the hosted function, which the pool
// names as its PreSignUp trigger.
const (
	FunctionName = "PreSignUp"
	FunctionARN  = "arn:aws:lambda:" + Region + ":000000000000:function:" + FunctionName
)

// Region is the region of the local pool and of the trigger's environment.
const Region = "us-east-1"

// LambdaPath is PATH as Lambda sets it, less /var/lang/bin, which holds
// Lambda's own interpreters; local's bootstraps name theirs by full path.
const LambdaPath = "/usr/local/bin:/usr/bin/:/bin:/opt/bin"

// Stack is a running local pool and trigger.
type Stack struct {
	// CognitoURL is cognito-local. GatewayURL answers the Lambda Invoke API
	// the way Cognito calls it (5 s an attempt, three attempts), which is how
	// the lambda target judges the trigger too.
	CognitoURL, GatewayURL string
	// OtherServicesURL refuses every AWS service the stack does not emulate,
	// naming it and the variable that points it elsewhere.
	OtherServicesURL string
	// TriggerCognitoURL is where the trigger reaches the pool: cognito-local
	// behind a resolver that makes AdminGetUser resolve verified aliases.
	TriggerCognitoURL string
	PoolID, ClientID  string
	Secret            string
	API               *cip.Client
	Gateway           *gateway.Gateway

	dir string
	// home is the empty HOME of the processes the run starts (env.go).
	home string
	rie  *rie.Proc
	// server serves GatewayURL on gatewayLn once the trigger runs.
	server    *http.Server
	gatewayLn net.Listener
	// poolServer serves poolGatewayURL, cognito-local's Lambda endpoint,
	// on poolLn.
	poolServer     *http.Server
	poolLn         net.Listener
	poolGatewayURL string
	others         *http.Server
	// resolver serves TriggerCognitoURL.
	resolver *http.Server
	// pool refuses, in front of the resolver, a call for another pool.
	pool    *poolWatch
	node    *exec.Cmd
	nodeEnd chan struct{} // closed when node has exited
	nodeOut rie.Log       // bounded, as the handler's is
	rieOut  rie.Log

	// FaultsURL is the control that injects lookup faults on one value
	// into what TriggerCognitoURL answers (faults.go); faultControl serves it.
	FaultsURL    string
	faultControl *http.Server
}

// Start starts the stack: the gateway's port, bound here; cognito-local with
// a pool in o.Shape's likeness (by default email and phone number as
// aliases) and an app client with a secret; then the trigger. On error it stops what it started.
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
	// Everything Start makes is the Stack's from the moment it exists, so
	// that Close is the one way it ends, on a failed start too.
	s = &Stack{}
	started := s // a failed start returns nil for s, and must still stop what it started
	defer func() {
		if err != nil {
			started.Close()
		}
	}()
	if err := s.listen(); err != nil {
		return nil, err
	}
	if s.CognitoURL, err = s.startCognitoLocal(ctx, startJS); err != nil {
		return nil, err
	}
	if err := s.startResolver(ctx, o); err != nil {
		return nil, err
	}
	if err := s.startPool(ctx, o); err != nil {
		return nil, err
	}
	// The trigger starts once the pool exists, so that its environment can
	// hold the pool's id (--env NAME=@pool-id).
	if err := s.startTrigger(ctx, o); err != nil {
		return nil, err
	}
	return s, nil
}

// listen makes the stack's work directory and the gateway's two listeners:
// the Invoke API's, and cognito-local's own endpoint on it, which fails the
// answers Cognito would not take (gateway.Pool).
func (s *Stack) listen() (err error) {
	if s.dir, err = os.MkdirTemp("", "autoconfirm-local-stack-"); err != nil {
		return err
	}
	s.home = filepath.Join(s.dir, "home")
	if err := os.Mkdir(s.home, 0o700); err != nil {
		return err
	}
	if s.gatewayLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	s.server = &http.Server{}
	s.GatewayURL = fmt.Sprintf("http://%s", s.gatewayLn.Addr())
	if s.poolLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	s.poolGatewayURL = fmt.Sprintf("http://%s", s.poolLn.Addr())
	return nil
}

// startResolver serves what the trigger reaches: cognito-local through a
// resolver that makes AdminGetUser answer for a verified alias, as Cognito
// does, with its fault control, and an endpoint for every other service.
func (s *Stack) startResolver(ctx context.Context, o Options) error {
	aliases, usernames := shapeOf(o).Resolvable()
	resolver, err := newAliasResolver(s.CognitoURL, aliases)
	if err != nil {
		return err
	}
	resolver.usernames = usernames
	rln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.pool = newPoolWatch(resolver)
	s.pool.say = deniedNote(o.Progress)
	s.resolver = &http.Server{Handler: s.pool}
	go s.resolver.Serve(rln)
	s.TriggerCognitoURL = fmt.Sprintf("http://%s", rln.Addr())
	resolver.faults = newFaultSet()
	if err := s.startFaults(ctx, resolver.faults); err != nil {
		return err
	}
	others, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.others = &http.Server{Handler: http.HandlerFunc(notEmulated)}
	go s.others.Serve(others)
	s.OtherServicesURL = fmt.Sprintf("http://%s", others.Addr())
	return nil
}

// startPool creates the pool of the run's shape in cognito-local, and an
// app client with a secret, so that SecretHash is tested.
func (s *Stack) startPool(ctx context.Context, o Options) (err error) {
	s.API = cip.New(cip.Options{Region: Region, BaseEndpoint: aws.String(s.CognitoURL),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	if s.PoolID, err = createPool(ctx, s.API, shapeOf(o)); err != nil {
		return err
	}
	client, err := s.API.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: aws.String(s.PoolID), ClientName: aws.String("autoconfirm-conformance"), GenerateSecret: true,
	})
	if err != nil {
		return fmt.Errorf("creating the local app client: %w", err)
	}
	s.ClientID, s.Secret = aws.ToString(client.UserPoolClient.ClientId), aws.ToString(client.UserPoolClient.ClientSecret)
	if s.Secret == "" {
		return errors.New("cognito-local created the app client without a secret; SecretHash would go untested")
	}
	return nil
}

// startTrigger starts the emulator with the function's environment, its
// placeholders replaced by the local pool's values, and the gateway in front
// of it.
func (s *Stack) startTrigger(ctx context.Context, o Options) (err error) {
	env := expandPlaceholders(o.Env, s.PoolID, s.ClientID)
	s.pool.watch(s.PoolID, env)
	bin := o.RIE
	if bin == "" {
		if bin, err = rie.Binary(ctx); err != nil {
			return err
		}
	}
	if s.rie, err = rie.StartWith(ctx, rie.Config{Binary: bin, Bootstrap: o.Bootstrap, Env: s.functionEnv(env, memoryMB(o.MemoryMB)), Timeout: o.Timeout, MemoryMB: memoryMB(o.MemoryMB), Logs: &s.rieOut, Sandbox: o.Sandbox, Mounts: o.Mounts,
		Reach: []string{hostOf(s.TriggerCognitoURL), hostOf(s.OtherServicesURL)}}); err != nil {
		return err
	}
	go s.pool.follow(s.rie.Crashed())
	s.Gateway = gateway.New(s.rie)
	s.Gateway.OnRetry(func(n int, answered bool) {
		if o.Progress == nil {
			return
		}
		if answered {
			fmt.Fprintf(o.Progress, "local: a sign-up got no answer within %s, so Cognito would have invoked it again: the handler ran %d times for one sign-up\n", gateway.CognitoAttempt, n)
		} else {
			fmt.Fprintf(o.Progress, "local: a sign-up got no answer within %s in %d attempts: %s\n", gateway.CognitoAttempt, n, gateway.TimedOutText)
		}
	})
	if f := o.Function; f != nil {
		c := *f
		c.FunctionName, c.FunctionArn, c.Version = FunctionName, FunctionARN, "$LATEST"
		c.MemorySize = memoryMB(o.MemoryMB)
		c.Timeout = int(o.Timeout / time.Second)
		if c.Timeout == 0 {
			c.Timeout = 3
		}
		s.Gateway.SetConfiguration(c)
	}
	s.server.Handler = s.Gateway.Cognito()
	go s.server.Serve(s.gatewayLn)
	s.poolServer = &http.Server{Handler: s.Gateway.Pool(Region)}
	go s.poolServer.Serve(s.poolLn)
	return nil
}

// hostOf is an http:// URL's host:port.
func hostOf(u string) string { return strings.TrimPrefix(u, "http://") }

func (s *Stack) startCognitoLocal(ctx context.Context, startJS string) (string, error) {
	if err := os.MkdirAll(filepath.Join(s.dir, ".cognito"), 0o755); err != nil {
		return "", err
	}
	for attempt := 1; ; attempt++ {
		port, err := rie.FreePort()
		if err != nil {
			return "", err
		}
		cfg := fmt.Sprintf(`{"LambdaClient":{"endpoint":%q,"credentials":{"accessKeyId":"local","secretAccessKey":"local"},"region":"us-east-1"},"TriggerFunctions":{"PreSignUp":"PreSignUp"},"UserPoolDefaults":{"UsernameAttributes":[]},"ServerConfig":{"hostname":"127.0.0.1","port":%d}}`, s.poolGatewayURL, port)
		if err := os.WriteFile(filepath.Join(s.dir, ".cognito", "config.json"), []byte(cfg), 0o644); err != nil {
			return "", err
		}
		s.nodeOut.Reset()
		s.node = exec.Command("node", startJS)
		s.node.Dir = s.dir
		s.node.Env = s.ProcessEnv(fmt.Sprintf("PORT=%d", port))
		s.node.Stdout, s.node.Stderr = &s.nodeOut, &s.nodeOut
		s.node.SysProcAttr = child.SysProcAttr(nil)
		s.node.WaitDelay = 2 * time.Second // a grandchild must not hold Wait on the pipe
		if err := s.node.Start(); err != nil {
			return "", fmt.Errorf("starting cognito-local: %w", err)
		}
		s.nodeEnd = make(chan struct{})
		go func(cmd *exec.Cmd, end chan struct{}) { cmd.Wait(); close(end) }(s.node, s.nodeEnd)
		err = rie.WaitListening(ctx, fmt.Sprintf("127.0.0.1:%d", port), 20*time.Second, s.nodeEnd)
		if err == nil {
			// What listens may be another process that took the port first
			// (a CI's concurrent test server); cognito-local then exits.
			err = rie.WaitOwned(ctx, s.node.Process.Pid, port, true, 5*time.Second, s.nodeEnd)
		}
		switch {
		case err == nil:
			return fmt.Sprintf("http://127.0.0.1:%d", port), nil
		case errors.Is(err, rie.ErrExited) && attempt < 3:
			continue
		}
		return "", fmt.Errorf("cognito-local: %w\n%s", err, s.nodeOut.Bytes())
	}
}

// Close stops everything the stack started and removes its directory.
func (s *Stack) Close() {
	if s.server != nil && s.server.Handler != nil {
		s.server.Close()
	} else if s.gatewayLn != nil {
		s.gatewayLn.Close()
	}
	if s.poolServer != nil {
		s.poolServer.Close()
	} else if s.poolLn != nil {
		s.poolLn.Close()
	}
	if s.resolver != nil {
		s.resolver.Close()
		s.pool.close()
	}
	if s.faultControl != nil {
		s.faultControl.Close()
	}
	if s.others != nil {
		s.others.Close()
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
