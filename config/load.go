package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a config file, placed by file, line and field.
type Error struct {
	Pos   Pos
	Field string
	Msg   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if p := e.Pos.String(); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	// Msg is redacted where it is made; this is the net for an Error
	// built elsewhere.
	b.WriteString(redactText(e.Msg))
	return b.String()
}

// MaxFileBytes caps the config file: a launchwatch.yaml is a few KiB, and
// without a cap a path such as /dev/zero would be read until memory ran out.
const MaxFileBytes = 1 << 20

// Load reads, defaults and validates the config at path. Only a regular file
// of at most MaxFileBytes is read: a FIFO, a device or a directory is
// refused before it is opened, so nothing here blocks on a reader that
// never ends.
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// readFile reads a config file within the limits Load promises.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	// O_NONBLOCK: should the path become a FIFO between the Stat and the
	// open, the open returns at once instead of waiting for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > MaxFileBytes {
		size := fmt.Sprintf("more than %d bytes", MaxFileBytes)
		if fi.Size() > MaxFileBytes {
			size = fileSize(fi.Size())
		}
		return nil, &Error{Pos: Pos{File: path}, Msg: fmt.Sprintf("the file is %s; a config may be at most 1 MiB (%d bytes)", size, MaxFileBytes)}
	}
	return data, nil
}

// regular refuses anything but a regular file, naming what it is.
func regular(path string, fi os.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() {
		return nil
	}
	what := "not a regular file"
	switch {
	case m.IsDir():
		what = "a directory"
	case m&os.ModeNamedPipe != 0:
		what = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		what = "a socket"
	case m&os.ModeCharDevice != 0:
		what = "a character device"
	case m&os.ModeDevice != 0:
		what = "a block device"
	}
	return &Error{Pos: Pos{File: path}, Msg: "is " + what + ", not a regular file: give the path of a launchwatch.yaml"}
}

// fileSize names a size in bytes for an error, with MiB beside it.
func fileSize(n int64) string {
	return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20))
}

// Parse is Load for bytes already read; name is used in errors.
func Parse(name string, data []byte) (*Config, error) {
	cfg, doc, err := decode(name, data)
	if err != nil {
		return nil, err
	}
	doc.place(&cfg)
	cfg.fillDefaults(doc)
	if err := cfg.applyPreset(); err != nil {
		return nil, &Error{Pos: doc.pos("preset"), Field: "preset", Msg: redactText(err.Error())}
	}
	if err := cfg.validate(doc); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// decode reads the YAML of a config into the defaults, unknown fields
// refused, and keeps the tree for placing errors.
func decode(name string, data []byte) (Config, document, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return Config{}, document{}, yamlError(name, &root, err)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return Config{}, document{}, &Error{Pos: Pos{File: name}, Msg: "the file is empty"}
	}
	cfg := Default()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, document{}, yamlError(name, &root, err)
	}
	if err := oneDocument(name, dec); err != nil {
		return Config{}, document{}, err
	}
	cfg.File = name
	return cfg, document{file: name, root: root.Content[0]}, nil
}

// LoadAlerts reads the alerts block of the file at path, for a command
// that takes its alerts from elsewhere (demo --alerts-from). A file that
// holds an alerts block and nothing else has that block checked as a
// config's is, with the same defaults and errors naming file, line and
// field, and needs no sources; any other file is loaded whole, as Load
// does. A file without alerts gives empty Alerts.
func LoadAlerts(path string) (Alerts, error) {
	data, err := readFile(path)
	if err != nil {
		return Alerts{}, err
	}
	cfg, doc, err := decode(path, data)
	if err != nil {
		return Alerts{}, err
	}
	if !alertsOnly(doc.root) {
		full, err := Parse(path, data)
		if err != nil {
			return Alerts{}, err
		}
		return full.Alerts, nil
	}
	cfg.fillAlertDefaults(doc)
	p := &problems{doc: doc}
	cfg.validateAlerts(p)
	return cfg.Alerts, errors.Join(p.errs...)
}

// alertsOnly reports whether a file's top level is a mapping whose one
// key is alerts.
func alertsOnly(top *yaml.Node) bool {
	return top.Kind == yaml.MappingNode && len(top.Content) == 2 && top.Content[0].Value == "alerts"
}

// oneDocument refuses a second YAML document after the config: nothing
// would read it, so a block pasted after a "---" would be silently
// ignored. The error names the line the second document starts on.
func oneDocument(name string, dec *yaml.Decoder) error {
	for {
		var next yaml.Node
		switch err := dec.Decode(&next); {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return yamlError(name, nil, err)
		}
		// A trailing "---", or one followed by comments only, holds
		// nothing that would go unread.
		if emptyDocument(&next) {
			continue
		}
		return &Error{Pos: Pos{File: name, Line: next.Line},
			Msg: "a second YAML document starts here; a config is one document: remove this \"---\" and merge what follows into the first"}
	}
}

// emptyDocument says a document holds no value: nothing, or a null.
func emptyDocument(n *yaml.Node) bool {
	if n.Kind == yaml.DocumentNode {
		if len(n.Content) == 0 {
			return true
		}
		n = n.Content[0]
	}
	return n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null" && (n.Value == "" || n.Value == "~" || n.Value == "null"))
}

// document is the parsed YAML tree, kept to turn field paths into lines and
// lines into field paths.
type document struct {
	file string
	root *yaml.Node
}

// node finds the value node at a dotted path ("plan.limits.link",
// "endpoints[1].max_qps") and the line that names it: the key's line for a
// mapping field, the item's for a list item. nil when absent.
func (d document) node(path string) (*yaml.Node, int) {
	n, line := d.root, d.root.Line
	for _, part := range splitPath(path) {
		if n == nil {
			return nil, 0
		}
		if i, err := strconv.Atoi(part); err == nil && n.Kind == yaml.SequenceNode {
			if i < 0 || i >= len(n.Content) {
				return nil, 0
			}
			n = n.Content[i]
			line = n.Line
			continue
		}
		var key *yaml.Node
		key, n = mappingEntry(n, part)
		if key != nil {
			line = key.Line
		}
	}
	return n, line
}

// pos returns where path is written, falling back to its nearest written
// parent, so a missing field points at the block that lacks it.
func (d document) pos(path string) Pos {
	for p := path; ; {
		if n, line := d.node(p); n != nil {
			return Pos{File: d.file, Line: line}
		}
		i := strings.LastIndexAny(p, ".[")
		if i <= 0 {
			return Pos{File: d.file}
		}
		p = p[:i]
	}
}

// has reports whether path is written in the file.
func (d document) has(path string) bool {
	n, _ := d.node(path)
	return n != nil
}

// pathAt returns the field path of the key or value written on line.
func (d document) pathAt(line int) string {
	var walk func(n *yaml.Node, prefix string) string
	walk = func(n *yaml.Node, prefix string) string {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := joinPath(prefix, k.Value)
				if k.Line == line {
					return p
				}
				if found := walk(v, p); found != "" {
					return found
				}
			}
		case yaml.SequenceNode:
			for i, v := range n.Content {
				p := fmt.Sprintf("%s[%d]", prefix, i)
				if found := walk(v, p); found != "" {
					return found
				}
				if v.Line == line {
					return p
				}
			}
		}
		return ""
	}
	return walk(d.root, "")
}

// mappingEntry returns the key and value nodes of key in a mapping.
func mappingEntry(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

func splitPath(path string) []string {
	path = strings.ReplaceAll(path, "[", ".")
	path = strings.ReplaceAll(path, "]", "")
	return strings.Split(path, ".")
}

func joinPath(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
var unknownField = regexp.MustCompile(`^field (\S+) not found in type \S+$`)

// yamlError turns the YAML library's messages ("yaml: line 3: …", "line 5:
// field foo not found in type config.Plan") into Errors naming file, line
// and field.
func yamlError(file string, root *yaml.Node, err error) error {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var doc document
	if root != nil && len(root.Content) > 0 {
		doc = document{file: file, root: root.Content[0]}
	}
	var errs []error
	for _, m := range msgs {
		m = redactText(m)
		e := &Error{Pos: Pos{File: file}, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sub := yamlLine.FindStringSubmatch(m); sub != nil {
			e.Pos.Line, _ = strconv.Atoi(sub[1])
			e.Msg = sub[2]
			if doc.root != nil {
				e.Field = doc.pathAt(e.Pos.Line)
			}
			if f := unknownField.FindStringSubmatch(e.Msg); f != nil {
				e.Msg = fmt.Sprintf("unknown field %q", f[1])
			}
		}
		errs = append(errs, e)
	}
	return errors.Join(errs...)
}

// place records where each signal and endpoint is written, for errors that
// are found after loading (a scrape expression, a refused query).
func (d document) place(c *Config) {
	for name, s := range c.Signals {
		s.Pos = d.pos("signals." + name)
		c.Signals[name] = s
	}
	for i := range c.Endpoints {
		c.Endpoints[i].Pos = d.pos(fmt.Sprintf("endpoints[%d]", i))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
