package local

import "github.com/autoconfirm/autoconfirm/poolshape"

// shape is the pool's shape: Options.Shape, or the default.
func (r *run) shape() poolshape.Shape {
	if r.o.Shape != nil {
		return *r.o.Shape
	}
	return poolshape.Default()
}

// claimArgs give a target's run the pool's shape, so that it leaves out
// the scenarios the pool refuses before its trigger runs, and the claim:
// a default claim is left to the run's own default, so that a profile with
// nothing applicable is reported rather than refused.
func (r *run) claimArgs() []string {
	args := r.shape().Args()
	if !r.o.DefaultClaim {
		args = append(args, "--profile", r.o.Profile)
	}
	return args
}
