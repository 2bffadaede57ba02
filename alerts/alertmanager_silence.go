package alerts

import (
	"context"
	"slices"
	"time"

	"github.com/launchwatch/launchwatch/snapshot"
)

// An acknowledged problem is silenced in Alertmanager, so its receivers
// stop being told of it there as they stop on the war room's screens: one
// silence, matching exactly that alert (alertname, launch, kind, subject;
// any severity), made on the first Alertmanager that takes it, since the
// Alertmanagers of a cluster gossip their silences and a silence posted to
// each would be one per Alertmanager. It is removed when the problem
// resolves, or launchwatch stops: the acknowledgement ends with either.

// amSilence is the silence of one acknowledged problem. The silencer alone
// touches its fields but resolved, which observe sets under amGroup.mu.
type amSilence struct {
	problem string // the problem's key, for the log
	body    amSilenceBody
	endsAt  time.Time
	// at is the index of the Alertmanager holding it (id), -1 before.
	at int
	id string
	// maybe are Alertmanagers a create got no answer from: they may hold
	// it all the same, found again by its matchers, creator and comment.
	maybe    []int
	resolved bool
}

// addSilence asks for a silence of st, acknowledged. g.mu is held.
func (g *amGroup) addSilence(st *amProblem, now time.Time) {
	a := st.alert
	ms := make([]amMatcher, 0, 4)
	for _, name := range [...]string{"alertname", "launch", "kind", "subject"} {
		ms = append(ms, amMatcher{Name: name, Value: a.Labels[name], IsEqual: true})
	}
	by := "launchwatch"
	if st.last.Ack != nil && st.last.Ack.By != "" {
		by = snapshot.CleanText(st.last.Ack.By, snapshot.MaxAckBy)
	}
	end := now.Add(SilenceFor)
	g.silences[st.id] = &amSilence{
		problem: st.key, at: -1, endsAt: end,
		body: amSilenceBody{Matchers: ms, StartsAt: now, EndsAt: end, CreatedBy: by,
			Comment: "acknowledged in launchwatch: " + a.Annotations["summary"]},
	}
	wakeUp(g.silWake)
}

// runSilencer makes and removes the silences when they are asked for and
// tries what failed again every resend; at closing it removes them all.
func (g *amGroup) runSilencer() {
	tick := time.NewTicker(g.resend)
	defer tick.Stop()
	for {
		select {
		case <-g.silWake:
		case <-tick.C:
		case <-g.closing:
			// launchwatch stops: its acknowledgements end with it, and a
			// silence left would hush the same problem opening again.
			g.mu.Lock()
			for _, s := range g.silences {
				s.resolved = true
			}
			g.mu.Unlock()
			g.silencePass(g.ctx)
			return
		}
		g.silencePass(g.ctx)
	}
}

// silencePass makes the silences asked for and removes those whose
// problem resolved.
func (g *amGroup) silencePass(ctx context.Context) {
	g.mu.Lock()
	var todo []string
	for id, s := range g.silences {
		if s.resolved || s.id == "" {
			todo = append(todo, id)
		}
	}
	g.mu.Unlock()
	slices.Sort(todo)
	for _, pid := range todo {
		if ctx.Err() != nil {
			return
		}
		g.mu.Lock()
		s := g.silences[pid]
		resolved := s.resolved
		g.mu.Unlock()
		if !resolved {
			g.silence(ctx, s)
			continue
		}
		if g.unsilence(ctx, s) {
			g.mu.Lock()
			delete(g.silences, pid)
			g.mu.Unlock()
		}
	}
}

// silence makes s on the first Alertmanager that takes it.
func (g *amGroup) silence(ctx context.Context, s *amSilence) {
	now := g.now()
	if !now.Before(s.endsAt) {
		return
	}
	for i, am := range g.ams {
		if slices.Contains(s.maybe, i) {
			// An earlier create got no answer here: it may have made it.
			if ids, err := am.findSilences(ctx, s); err == nil && len(ids) > 0 {
				s.at, s.id = i, ids[0]
				s.maybe = slices.DeleteFunc(s.maybe, func(j int) bool { return j == i })
				g.log.Info("silence found, made by a create that got no answer", "sink", am.name, "problem", s.problem, "silence", s.id)
				return
			}
		}
		body := s.body
		body.StartsAt, body.EndsAt = now, s.endsAt
		id, err := am.createSilence(ctx, body)
		if err == nil {
			s.at, s.id = i, id
			am.noteSilence(nil)
			g.log.Info("alert silenced: acknowledged", "sink", am.name, "problem", s.problem, "silence", id, "by", s.body.CreatedBy, "until", s.endsAt)
			return
		}
		if unsure(err) && !slices.Contains(s.maybe, i) {
			s.maybe = append(s.maybe, i)
		}
		am.noteSilence(err)
		g.log.Warn("silence not made", "sink", am.name, "problem", s.problem, "err", snapshot.CleanText(err.Error(), maxText))
	}
	g.log.Warn("no alertmanager took the silence of an acknowledged problem: tried again at the next resend", "problem", s.problem, "again_in", g.resend)
}

// unsilence removes s wherever it is or may be; true once it is nowhere.
func (g *amGroup) unsilence(ctx context.Context, s *amSilence) bool {
	if !g.now().Before(s.endsAt) {
		return true // ended by itself
	}
	if s.id != "" {
		am := g.ams[s.at]
		err := am.deleteSilence(ctx, s.id)
		am.noteSilence(err)
		if err != nil {
			g.log.Warn("silence not removed: tried again at the next resend", "sink", am.name, "problem", s.problem, "silence", s.id, "err", snapshot.CleanText(err.Error(), maxText))
		} else {
			g.log.Info("silence removed", "sink", am.name, "problem", s.problem, "silence", s.id)
			s.id = ""
		}
	}
	for _, i := range slices.Clone(s.maybe) {
		am := g.ams[i]
		ids, err := am.findSilences(ctx, s)
		for _, id := range ids {
			if err == nil {
				err = am.deleteSilence(ctx, id)
			}
		}
		am.noteSilence(err)
		if err != nil {
			g.log.Warn("a silence that may have been made is not checked: tried again at the next resend", "sink", am.name, "problem", s.problem, "err", snapshot.CleanText(err.Error(), maxText))
			continue
		}
		s.maybe = slices.DeleteFunc(s.maybe, func(j int) bool { return j == i })
	}
	return s.id == "" && len(s.maybe) == 0
}

// findSilences returns the ids of the active or pending silences am holds
// that are s: its matchers, its creator and comment.
func (am *Alertmanager) findSilences(ctx context.Context, s *amSilence) ([]string, error) {
	all, err := am.listSilences(ctx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, h := range all {
		if h.Status != nil && h.Status.State == "expired" {
			continue
		}
		if h.CreatedBy == s.body.CreatedBy && h.Comment == s.body.Comment && sameMatchers(h.Matchers, s.body.Matchers) {
			ids = append(ids, h.ID)
		}
	}
	return ids, nil
}

func sameMatchers(a, b []amMatcher) bool {
	if len(a) != len(b) {
		return false
	}
	for _, m := range b {
		if !slices.Contains(a, m) {
			return false
		}
	}
	return true
}

// noteSilence counts a silence call's outcome in am's status: a failure
// is its newest error, a success its newest delivery.
func (am *Alertmanager) noteSilence(err error) {
	am.mu.Lock()
	defer am.mu.Unlock()
	if err != nil {
		am.noteError("silence: " + err.Error())
		return
	}
	am.status.LastSent = time.Now()
}
