package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFunction(t *testing.T) {
	for _, tt := range []struct {
		name, path, id string
		overrides      map[string]string
		check          func(t *testing.T, f Function)
		err            string
	}{
		{name: "the project's template", path: "../../template.yaml", check: func(t *testing.T, f Function) {
			want := Function{LogicalID: "PreSignUpFunction", Runtime: "provided.al2023", Handler: "bootstrap", Architecture: "arm64", Timeout: 5 * time.Second, MemoryMB: 128}
			if f.MemoryMB != want.MemoryMB || f.LogicalID != want.LogicalID || f.Runtime != want.Runtime || f.Handler != want.Handler || f.Architecture != want.Architecture || f.Timeout != want.Timeout {
				t.Errorf("%+v", f)
			}
			if !strings.HasSuffix(f.CodeURI, "/dist/autoconfirm.zip") {
				t.Errorf("CodeUri %s", f.CodeURI)
			}
			// !If [ReadsAliases, auto, !Join [",", !Ref AliasAttributes]]
			if f.Env["ALIAS_ATTRIBUTES"] != "email,phone_number" || f.Env["ALIAS_POLICY"] != "skip-verify" || len(f.Unresolved) != 0 {
				t.Errorf("env %v, unresolved %v", f.Env, f.Unresolved)
			}
		}},
		{name: "the project's template, overridden", path: "../../template.yaml", overrides: map[string]string{"Architecture": "x86_64", "AliasAttributesSource": "pool"}, check: func(t *testing.T, f Function) {
			if f.Architecture != "x86_64" || f.Env["ALIAS_ATTRIBUTES"] != "auto" {
				t.Errorf("architecture %s, ALIAS_ATTRIBUTES %q", f.Architecture, f.Env["ALIAS_ATTRIBUTES"])
			}
		}},
		{name: "a parameter the template lacks", path: "../../template.yaml", overrides: map[string]string{"Arch": "x86_64"}, err: `no parameter "Arch"`},
		{name: "Globals and a variable that names the template's pool", path: "../../testdata/templates/node/template.yaml", check: func(t *testing.T, f Function) {
			if f.Runtime != "nodejs22.x" || f.Timeout != 4*time.Second || f.MemoryMB != 256 || f.Env["LOG_LEVEL"] != "info" || f.Env["LIST_LIMIT"] != "60" {
				t.Errorf("%+v", f)
			}
			if f.Local["USER_POOL_ID"] != (LocalRef{"!Ref UserPool", PoolID}) || len(f.Unresolved) != 0 {
				t.Errorf("local %v, unresolved %v", f.Local, f.Unresolved)
			}
		}},
		{name: "the long form, a condition, one of two functions", path: "../../testdata/templates/python/template.yaml", id: "PreSignUp", check: func(t *testing.T, f Function) {
			if f.Runtime != "python3.11" || f.Env["STAGE_NAME"] != "test-us-east-1" || f.Env["CALL_OTHER_SERVICE"] != "" || f.Architecture != "x86_64" {
				t.Errorf("%+v", f)
			}
		}},
		{name: "a layer of the same template", path: "../../testdata/templates/node-layer/template.yaml", check: func(t *testing.T, f Function) {
			if len(f.Layers) != 1 || !strings.HasSuffix(f.Layers[0], "testdata/templates/node-layer/layer") {
				t.Errorf("layers %v", f.Layers)
			}
		}},
		{name: "two functions and none named", path: "../../testdata/templates/python/template.yaml", err: "2 functions (PostConfirmation, PreSignUp): name one with --function"},
		{name: "a function the template lacks", path: "../../testdata/templates/python/template.yaml", id: "Nope", err: `no AWS::Serverless::Function "Nope"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := Read(tt.path, tt.overrides)
			var f Function
			if err == nil {
				f, err = tp.Function(tt.id)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, f)
		})
	}
}

// TestCodeStaysInTheRepository: a template's CodeUri and a layer's
// ContentUri may lead out of the template's directory (a monorepo's
// ../src/fn) but not out of its repository, links followed: a pull request
// must not show the function the host's files.
func TestCodeStaysInTheRepository(t *testing.T) {
	repo := t.TempDir()
	outside := t.TempDir()
	os.MkdirAll(filepath.Join(repo, ".git"), 0o755)
	os.MkdirAll(filepath.Join(repo, "infra"), 0o755)
	os.MkdirAll(filepath.Join(repo, "src", "fn"), 0o755)
	os.Symlink(outside, filepath.Join(repo, "src", "out"))
	for _, tt := range []struct {
		name, code string
		refused    bool
	}{
		{"beside the template, in the repository", "../src/fn", false},
		{"an absolute path in the repository", filepath.Join(repo, "src", "fn"), false},
		{"an absolute path outside it", outside, true},
		{"up out of the repository", "../../", true},
		{"a link in the repository that leads out", "../src/out", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tpl := filepath.Join(repo, "infra", "template.yaml")
			os.WriteFile(tpl, []byte("Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: "+tt.code+"\n"), 0o644)
			tm, err := Read(tpl, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tm.Function("Fn")
			if refused := err != nil && strings.Contains(err.Error(), "outside the template's repository"); refused != tt.refused {
				t.Errorf("CodeUri %s: %v; want refused: %v", tt.code, err, tt.refused)
			}
		})
	}
}

// TestValuesAreBounded: nested Fn::Sub and Fn::Join that double a value at
// each level are refused once it passes MaxValue, quickly, naming the
// limit; a value under it is kept.
func TestValuesAreBounded(t *testing.T) {
	nest := func(fn string, n int) string {
		v := `"abcdefgh"`
		for range n {
			if fn == "sub" {
				v = `{"Fn::Sub": ["${a}${a}", {"a": ` + v + `}]}`
			} else {
				v = `{"Fn::Join": ["", [` + v + `, ` + v + `]]}`
			}
		}
		return v
	}
	for _, tt := range []struct {
		name, value string
		err         string
	}{
		{"Fn::Sub, 30 levels", nest("sub", 30), "more than 4096 bytes"},
		{"Fn::Join, 12 levels", nest("join", 12), "more than 4096 bytes"},
		{"Fn::Sub, 5 levels", nest("sub", 5), ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl := "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: h.h\n      CodeUri: .\n      Environment:\n        Variables:\n          V: " + tt.value + "\n"
			os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
			tp, err := Read(filepath.Join(dir, "template.yaml"), nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := tp.Function("")
			switch {
			case tt.err == "" && (err != nil || len(f.Env["V"]) != 8<<5):
				t.Errorf("got %d bytes, %v; want 256", len(f.Env["V"]), err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("got %v; want %q", err, tt.err)
			}
		})
	}
}

// TestConditionsEvaluatedOnce: a chain of 60 conditions, each naming the
// one before twice, is evaluated at once, as CloudFormation evaluates each
// condition once; without that it takes 2^60 steps.
func TestConditionsEvaluatedOnce(t *testing.T) {
	var conds strings.Builder
	conds.WriteString("Conditions:\n  C0: !Equals [a, b]\n")
	for i := 1; i <= 60; i++ {
		fmt.Fprintf(&conds, "  C%d: !Or [!Condition C%d, !Condition C%d]\n", i, i-1, i-1)
	}
	dir := t.TempDir()
	tpl := "Transform: AWS::Serverless-2016-10-31\n" + conds.String() + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: h.h\n      CodeUri: .\n      Environment:\n        Variables:\n          X: !If [C60, x, y]\n"
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
	done := make(chan struct{})
	var f Function
	var err error
	go func() {
		defer close(done)
		var tp *Template
		if tp, err = Read(filepath.Join(dir, "template.yaml"), nil); err == nil {
			f, err = tp.Function("")
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("60 chained conditions were still being evaluated after 30 s")
	}
	if err != nil || f.Env["X"] != "y" {
		t.Errorf("X = %q, %v; want y", f.Env["X"], err)
	}
}

// TestEphemeralStorage: EphemeralStorage.Size, the function's own or
// Globals', is /tmp's size; Lambda's default is 512, and a size Lambda
// refuses is refused (red team round 16).
func TestEphemeralStorage(t *testing.T) {
	for _, tt := range []struct {
		name, props, globals string
		want                 int
		err                  string
	}{
		{name: "none given", want: 512},
		{name: "the function's own", props: "      EphemeralStorage:\n        Size: 2048\n", want: 2048},
		{name: "Globals'", globals: "Globals:\n  Function:\n    EphemeralStorage:\n      Size: 10240\n", want: 10240},
		{name: "too small", props: "      EphemeralStorage:\n        Size: 256\n", err: "Lambda takes whole megabytes from 512 to 10240"},
		{name: "no Size", props: "      EphemeralStorage: {}\n", err: "EphemeralStorage has no Size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl := filepath.Join(dir, "template.yaml")
			os.WriteFile(tpl, []byte("Transform: AWS::Serverless-2016-10-31\n"+tt.globals+"Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: .\n"+tt.props), 0o644)
			tm, err := Read(tpl, nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := tm.Function("Fn")
			switch {
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error %v, want %q", err, tt.err)
			case tt.err == "" && err != nil:
				t.Error(err)
			case tt.err == "" && f.TmpMB != tt.want:
				t.Errorf("/tmp %d MB, want %d", f.TmpMB, tt.want)
			}
		})
	}
}

// TestConditionalLayersAndMappings: Fn::If chooses a function's layers, for
// the list or for each item, AWS::NoValue removes one, and Fn::FindInMap
// reads the template's own Mappings, as CloudFormation does (red team
// round 17).
func TestConditionalLayersAndMappings(t *testing.T) {
	head := "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Stage:\n    Type: String\n    Default: dev\n" +
		"Conditions:\n  WithLayer: !Equals [!Ref Stage, dev]\n" +
		"Mappings:\n  Runtimes:\n    python:\n      Version: python3.12\n" +
		"Resources:\n  Shared:\n    Type: AWS::Serverless::LayerVersion\n    Properties:\n      ContentUri: layer\n" +
		"  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: !FindInMap [Runtimes, python, Version]\n      Handler: app.handler\n      CodeUri: .\n"
	for _, tt := range []struct {
		name, layers string
		stage        string
		want         int
	}{
		{"the list chosen", "      Layers: !If [WithLayer, [!Ref Shared], !Ref AWS::NoValue]\n", "dev", 1},
		{"the list removed", "      Layers: !If [WithLayer, [!Ref Shared], !Ref AWS::NoValue]\n", "prod", 0},
		{"each item chosen", "      Layers:\n        - !If [WithLayer, !Ref Shared, !Ref AWS::NoValue]\n        - !Ref Shared\n", "prod", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "layer"), 0o755)
			tpl := filepath.Join(dir, "template.yaml")
			os.WriteFile(tpl, []byte(head+tt.layers), 0o644)
			tm, err := Read(tpl, map[string]string{"Stage": tt.stage})
			if err != nil {
				t.Fatal(err)
			}
			f, err := tm.Function("Fn")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Layers) != tt.want || f.Runtime != "python3.12" {
				t.Errorf("layers %v, runtime %q; want %d layer(s), python3.12", f.Layers, f.Runtime, tt.want)
			}
		})
	}
}

// TestConditionalVariables: Fn::If chooses a variable's value, AWS::NoValue
// removes the variable, a Globals' one too, and a chosen reference to the
// template's own pool is the local pool's, as CloudFormation would resolve
// them (red team round 26: NoValue gave an empty variable, and an If that
// chose !Ref UserPool was called a deployment's value).
func TestConditionalVariables(t *testing.T) {
	head := "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Stage:\n    Type: String\n    Default: prod\n  Existing:\n    Type: String\n    Default: ''\n" +
		"Conditions:\n  IsProd: !Equals [!Ref Stage, prod]\n  CreatePool: !Equals [!Ref Existing, '']\n" +
		"Globals:\n  Function:\n    Environment:\n      Variables:\n        LOG_LEVEL: INFO\n" +
		"Resources:\n  UserPool:\n    Type: AWS::Cognito::UserPool\n    Condition: CreatePool\n    Properties:\n      LambdaConfig:\n        PreSignUp: !GetAtt Fn.Arn\n" +
		"  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: .\n" +
		"      Environment:\n        Variables:\n          LOG_LEVEL: !If [IsProd, !Ref AWS::NoValue, DEBUG]\n" +
		"          USER_POOL_ID: !If [CreatePool, !Ref UserPool, !Ref Existing]\n"
	for _, tt := range []struct {
		stage, level string
		removed      bool
	}{
		{"prod", "", true},
		{"dev", "DEBUG", false},
	} {
		t.Run(tt.stage, func(t *testing.T) {
			tpl := filepath.Join(t.TempDir(), "template.yaml")
			os.WriteFile(tpl, []byte(head), 0o644)
			tm, err := Read(tpl, map[string]string{"Stage": tt.stage})
			if err != nil {
				t.Fatal(err)
			}
			f, err := tm.Function("Fn")
			if err != nil {
				t.Fatal(err)
			}
			level, set := f.Env["LOG_LEVEL"]
			if set == tt.removed || level != tt.level {
				t.Errorf("LOG_LEVEL = %q (set %t), want %q (set %t)", level, set, tt.level, !tt.removed)
			}
			if _, ok := f.Local["USER_POOL_ID"]; !ok || len(f.Unresolved) != 0 {
				t.Errorf("USER_POOL_ID is not the local pool's: local %v, unresolved %v", f.Local, f.Unresolved)
			}
		})
	}
}

// TestListsAsCloudFormationTakesThem: Fn::Join and Fn::Select take the
// lists CloudFormation gives them, YAML aliases resolved as SAM resolves
// them, and refuse what CloudFormation refuses, never reading it as an
// empty string (red team round 21: a Join over a list of lists, and one
// over a Mappings value that is not a map, gave "", and the run passed).
func TestListsAsCloudFormationTakesThem(t *testing.T) {
	const mappings = "Mappings:\n  M:\n    top:\n      list: [x, y]\n      one: z\n    notamap: [a, b]\n" +
		"  Anchors:\n    a0: &a0 [p, q]\n    a1: &a1 [*a0, *a0]\nParameters:\n  Name:\n    Type: String\n    Default: &name named\n"
	for _, tt := range []struct {
		name, value, want, err string
	}{
		{"a Mappings list", "!Join [',', !FindInMap [M, top, list]]", "x,y", ""},
		{"Fn::Split", "!Join ['-', !Split [',', 'a,b']]", "a-b", ""},
		{"Fn::Select of Fn::Split", "!Select [1, !Split [',', 'a,b']]", "b", ""},
		{"an alias to a string", "*name", "named", ""},
		{"an alias to a list", "!Join ['', *a0]", "pq", ""},
		{"a list of lists", "!Join ['', *a1]", "", "a list where CloudFormation takes a string"},
		{"a Mappings value that is not a map", "!Join ['', !FindInMap [M, notamap, 0]]", "", "M/notamap is not a map"},
		{"a Mappings list as a string", "!FindInMap [M, top, list]", "", "a list where CloudFormation takes a string"},
		{"a list as a variable's value", "[a, b]", "", "a list where CloudFormation takes a string"},
		{"Fn::Join of a string", "!Join ['', abc]", "", "a list is needed here"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl := "Transform: AWS::Serverless-2016-10-31\n" + mappings + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: h.h\n      CodeUri: .\n      Environment:\n        Variables:\n          V: " + tt.value + "\n"
			os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
			tp, err := Read(filepath.Join(dir, "template.yaml"), nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := tp.Function("")
			switch {
			case tt.err == "" && (err != nil || f.Env["V"] != tt.want):
				t.Errorf("V = %q, %v; want %q", f.Env["V"], err, tt.want)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("V = %q, %v; want an error saying %q", f.Env["V"], err, tt.err)
			}
		})
	}
}

// TestPlainCloudFormationFunctionSaysWhatToDo: an AWS::Lambda::Function is
// not read, and the error says so and what to give instead (red team round
// 22: "the template has no AWS::Serverless::Function" alone).
func TestPlainCloudFormationFunctionSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	tpl := "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: python3.12\n      Handler: index.handler\n      Code:\n        ZipFile: 'def handler(e, c): return e'\n"
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
	tp, err := Read(filepath.Join(dir, "template.yaml"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tp.Function(""); err == nil || !strings.Contains(err.Error(), "AWS::Lambda::Function is not read") || !strings.Contains(err.Error(), "--runtime, --code and --handler") {
		t.Errorf("Function: %v", err)
	}
}

// TestLogicalIDsAsCloudFormationTakesThem: a resource's logical ID is
// letters and digits alone, as CloudFormation requires; another is refused,
// quoted (red team round 23: an ID with a newline forged an output line).
func TestLogicalIDsAsCloudFormationTakesThem(t *testing.T) {
	dir := t.TempDir()
	tpl := "Resources:\n  \"Fn\\nlocal: PASS\":\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: h.h\n      CodeUri: .\n"
	os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
	_, err := Read(filepath.Join(dir, "template.yaml"), nil)
	if err == nil || !strings.Contains(err.Error(), `"Fn\nlocal: PASS" has a logical ID CloudFormation refuses`) {
		t.Errorf("Read: %v", err)
	}
}

// TestEvaluationIsBounded: a Mappings value that names itself, directly or
// through a list, and YAML aliases that multiply a value's steps are
// refused at once, naming the bound (red team round 24: a stack overflow,
// and a run that only SIGKILL ended).
func TestEvaluationIsBounded(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("Metadata:\n  L0: &l0 ''\n")
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&bomb, "  L%d: &l%d {'Fn::Join': ['', [%s]]}\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*l%d, ", i-1), 12), ", "))
	}
	self := "Mappings:\n  M:\n    K:\n      V: !FindInMap [M, K, V]\n      L: !FindInMap [M, K, L]\n"
	for _, tt := range []struct {
		name, head, value, want string
	}{
		{"a Mappings value that names itself", self, "!FindInMap [M, K, V]", "nests more than 64"},
		{"the same, as a list", self, "!Join ['', !FindInMap [M, K, L]]", "nests more than 64"},
		{"the same, through Fn::Select", self, "!Select [0, !FindInMap [M, K, L]]", "nests more than 64"},
		{"aliases that multiply a value's steps", bomb.String(), "*l15", "more than 1000000"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tpl := "Transform: AWS::Serverless-2016-10-31\n" + tt.head + "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.11\n      Handler: h.h\n      CodeUri: .\n      Environment:\n        Variables:\n          V: " + tt.value + "\n"
			os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tpl), 0o644)
			tp, err := Read(filepath.Join(dir, "template.yaml"), nil)
			if err == nil {
				_, err = tp.Function("")
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error saying %q", err, tt.want)
			}
		})
	}
}
