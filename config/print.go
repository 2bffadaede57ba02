package config

import (
	"go.yaml.in/yaml/v3"
)

// YAML renders the effective config, defaults filled in and presets
// expanded, for `config check` and a recording's header. Secrets come out
// hidden: passwords and bearer tokens as "<secret>" (prometheus/common's
// Secret type redacts itself when marshalled, as its URL type does for
// proxy_url), webhook URLs and headers as their own types print them, and
// the password of every URL with userinfo as "xxxxx"
// ("http://user:xxxxx@host"), and in free text the values of parameters,
// variables, flags and headers named like secrets, an Authorization's
// credentials, a bearer token, curl's user:password and a known webhook's
// path (redactSecrets). Those rules are one walk over every string
// of the rendered tree, keys included, finding URLs inside text too (a
// curl line in alerts.commands[].run): a field added later is covered
// without being listed.
func (c *Config) YAML() ([]byte, error) {
	var root yaml.Node
	if err := root.Encode(c); err != nil {
		return nil, err
	}
	redactNode(&root)
	return yaml.Marshal(&root)
}

// redactNode hides the secrets in every scalar under n (redactSecrets).
func redactNode(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode {
		n.Value = redactSecrets(n.Value)
	}
	for _, c := range n.Content {
		redactNode(c)
	}
}
