package main

import (
	"context"

	"github.com/autoconfirm/autoconfirm/harness/targets"
	"github.com/autoconfirm/autoconfirm/harness/targets/open"
)

// buildTarget opens the target the options name (see open.Target); say
// receives what the pre-flight checks found that the run cannot show.
func buildTarget(ctx context.Context, o suiteOptions, getenv func(string) string, namer *targets.Namer, say func(string)) (targets.Target, func(context.Context) (int, error), error) {
	spec := open.Spec{Target: o.target, PoolID: o.poolID, ClientID: o.clientID, Secret: getenv("COGNITO_CLIENT_SECRET"), Function: o.function,
		Policy: o.policy, Lookup: o.lookup, Emulator: o.emulator, ExpectCode: o.expectCode, ExpectFunction: o.expectFunction,
		Unmask: o.unmask, Namer: namer, FaultsURL: getenv(targets.FaultsVariable),
		Access: func(ctx context.Context) (open.Access, error) { return liveAccess(ctx, o) }}
	t, err := open.Target(ctx, spec, say)
	return t.Target, t.Close, err
}
