package samtemplate

import (
	"errors"
	"fmt"

	"gopkg.in/yaml.v3"
)

// condition evaluates a named condition.
func (t *Template) condition(name string) (bool, bool, error) {
	if d, ok := t.decided[name]; ok {
		return d.value, d.ok, nil
	}
	n, ok := t.conditions[name]
	if !ok {
		return false, false, fmt.Errorf("no condition %q", name)
	}
	value, known, err := t.boolean(n)
	if err == nil {
		if t.decided == nil {
			t.decided = map[string]decision{}
		}
		t.decided[name] = decision{value, known}
	}
	return value, known, err
}

func (t *Template) boolean(n *yaml.Node) (bool, bool, error) {
	fn, arg := intrinsic(n)
	switch fn {
	case "Condition":
		return t.condition(scalar(arg))
	case "Fn::Equals":
		parts := items(arg)
		if len(parts) != 2 {
			return false, false, errors.New("Fn::Equals takes two values")
		}
		a, ok1, err1 := t.resolve(parts[0])
		b, ok2, err2 := t.resolve(parts[1])
		if err := errors.Join(err1, err2); err != nil || !ok1 || !ok2 {
			return false, ok1 && ok2, err
		}
		return a == b, true, nil
	case "Fn::Not":
		v, ok, err := t.boolean(first(arg))
		return !v, ok, err
	case "Fn::And", "Fn::Or":
		all := fn == "Fn::And"
		for _, p := range items(arg) {
			v, ok, err := t.boolean(p)
			if err != nil || !ok {
				return false, ok, err
			}
			if v != all {
				return v, true, nil
			}
		}
		return all, true, nil
	}
	return false, false, fmt.Errorf("%s is not a condition", describe(n))
}
