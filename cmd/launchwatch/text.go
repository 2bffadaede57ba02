package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/launchwatch/launchwatch/capacity"
	"github.com/launchwatch/launchwatch/snapshot"
)

// writeSnapshotText prints a snapshot as a readable table, for --once
// without --json.
func writeSnapshotText(w io.Writer, s snapshot.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, value string) { fmt.Fprintf(tw, "%s\t%s\n", name, value) }
	val := func(v snapshot.Value, f func(float64) string) string {
		x, ok := v.Get()
		if !ok {
			return "–"
		}
		return f(x)
	}
	fmt.Fprintf(tw, "Snapshot\t%s\n", s.Time.Format("2006-01-02 15:04:05 MST"))
	row("PV/s", val(s.PV, capacity.FormatNumber))
	row("Requests/s", val(s.Requests, capacity.FormatNumber))
	row("Connections", val(s.Connections, capacity.FormatCount))
	row("Bandwidth", val(s.Bandwidth, func(b float64) string { return capacity.FormatByteRate(b) + " (" + capacity.FormatBitRate(b) + ")" }))
	row("Error rate", val(s.ErrorRate, capacity.FormatPercent))
	row("Stock", val(s.Stock, capacity.FormatCount))
	row("Sold/s", val(s.Sold, capacity.FormatNumber))
	for _, name := range s.EndpointNames() {
		row("Endpoint "+snapshot.CleanText(name, 30), val(s.Endpoints[name].QPS, capacity.FormatNumber)+" QPS")
	}
	h := s.Host
	row("Host CPU", val(h.CPU, capacity.FormatPercent))
	row("Host memory", val(h.MemoryUsed, capacity.FormatBytes)+" of "+val(h.MemoryTotal, capacity.FormatBytes))
	row("Host load", val(h.Load1, capacity.FormatNumber))
	row("Host NIC out/in", val(h.NetTX, capacity.FormatByteRate)+" / "+val(h.NetRX, capacity.FormatByteRate))
	row("Host TCP", val(h.TCPEstablished, capacity.FormatCount)+" established, "+val(h.TCPMemory, capacity.FormatBytes)+" socket memory")
	for _, name := range s.SourceNames() {
		src := s.Sources[name]
		status := "ok"
		if !src.OK {
			status = "FAILED: " + src.Error
		}
		row("Source "+name, fmt.Sprintf("%s (%.0f ms)", status, src.Duration*1000))
		for _, w := range src.Warnings {
			row("", "warning: "+w)
		}
	}
	return tw.Flush()
}
