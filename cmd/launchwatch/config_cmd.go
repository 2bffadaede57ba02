package main

import (
	"github.com/launchwatch/launchwatch/config"
	"github.com/spf13/cobra"
)

func newConfigCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check a launchwatch.yaml",
	}
	var online bool
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Validate a config and print it with defaults filled and secrets redacted",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(args[0])
			if err != nil {
				return err
			}
			if online {
				return configCheckOnline(cmd.Context(), cmd.OutOrStdout(), cfg)
			}
			out, err := cfg.YAML()
			if err != nil {
				return err
			}
			cmd.Printf("# %s is valid. Effective config:\n%s", args[0], out)
			return nil
		},
	}
	check.Flags().BoolVar(&online, "online", false, "run every query and scrape once; report empty results, unknown metrics and the detected scrape interval")
	cmd.AddCommand(check)
	return cmd
}
