package local

import "github.com/autoconfirm/autoconfirm/harness/poolshape"

// shape is the pool's shape: Options.Shape, or the default.
func (r *run) shape() poolshape.Shape {
	if r.o.Shape != nil {
		return *r.o.Shape
	}
	return poolshape.Default()
}
