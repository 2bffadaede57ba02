package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func newManCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "man [-o DIR]",
		Short: "Write the man pages, one a command, generated from the commands themselves",
		Long: `Write a man page (section 1) for launchwatch and each of its commands into
DIR: launchwatch.1, launchwatch-watch.1, launchwatch-config-check.1, ...,
each with the command's description, flags and examples, as --help shows
them. DIR is created if missing, its parent must exist.`,
		Example: `  launchwatch man -o ~/.local/share/man/man1 && man launchwatch-watch`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir = filepath.Clean(dir) // "DIR/" is DIR, not a file in it
			if err := existingDir("-o", dir); err != nil {
				return err
			}
			if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // the pages are the same from run to run
			v, _ := buildVersion()
			header := &doc.GenManHeader{Section: "1", Source: "launchwatch " + v, Manual: "launchwatch manual"}
			if err := doc.GenManTree(root, header, dir); err != nil {
				return fmt.Errorf("man pages: %w", err)
			}
			cmd.Printf("wrote the man pages to %s\n", dir)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "man", "the directory to write the pages to")
	return cmd
}
