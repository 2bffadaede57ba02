package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// startsAtForms are the layouts launch.starts_at accepts: RFC 3339, and the
// same with a space for the T. Both carry a zone: T0 in the wrong zone
// would put the countdown hours off.
var startsAtForms = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"}

// zonelessForms are read only to say what is missing.
var zonelessForms = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

const acceptedStartsAt = "RFC 3339 such as 2026-12-01T12:00:00Z or 2026-12-01T12:00:00+01:00, or the same with a space for the T"

// UnmarshalYAML reads the launch block so that a bad starts_at names its
// line, its field and the accepted forms instead of the YAML library's
// "parsing time … as 2006-01-02T15:04:05Z07:00", and so that a time without
// a zone is refused rather than taken as UTC. Unknown fields stay errors.
func (l *Launch) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		type plain Launch // the library's own error for a launch that is not a mapping
		var p plain
		err := n.Decode(&p)
		*l = Launch(p)
		return err
	}
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "name":
			if err := v.Decode(&l.Name); err != nil {
				return err
			}
		case "starts_at":
			t, err := parseStartsAt(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("line %d: %v", k.Line, err))
				continue
			}
			l.StartsAt = t
		default:
			// The form the YAML library uses, so unknown fields read alike.
			errs = append(errs, fmt.Sprintf("line %d: field %s not found in type config.Launch", k.Line, k.Value))
		}
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	return nil
}

// parseStartsAt reads T0 in one of startsAtForms; empty is unknown.
func parseStartsAt(v *yaml.Node) (time.Time, error) {
	if v.Kind != yaml.ScalarNode {
		return time.Time{}, fmt.Errorf("must be a time, %s", acceptedStartsAt)
	}
	s := strings.TrimSpace(v.Value)
	if s == "" || v.Tag == "!!null" {
		return time.Time{}, nil
	}
	for _, f := range startsAtForms {
		if t, err := time.Parse(f, s); err == nil {
			return t, nil
		}
	}
	for _, f := range zonelessForms {
		if _, err := time.Parse(f, s); err == nil {
			return time.Time{}, fmt.Errorf("%q has no time zone: add Z for UTC or an offset such as +01:00 (accepted: %s)", s, acceptedStartsAt)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time; accepted: %s", s, acceptedStartsAt)
}

// LaunchName names the launch: launch.name, else the config's file. The
// recording's file name, the alerts' launch label and the Alertmanager
// source's match of launchwatch's own alerts all read it.
func (c *Config) LaunchName() string {
	if c.Launch.Name != "" {
		return c.Launch.Name
	}
	return c.File
}
