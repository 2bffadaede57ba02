package pipeline

// FrameSink takes every frame the loop publishes, in order, none skipped:
// alerts, which must see a problem open and resolve even when the two are
// a frame apart. Like a Sink it runs on a goroutine of its own behind an
// unbounded queue, so a slow one never slows the loop; the pipeline drains
// the queue, then calls Close, before Run returns.
//
// A replay's rebuild (a seek) publishes only its last frame, and a frame
// republished with a new playback status is not new: neither reaches a
// FrameSink twice. A frame a person acknowledged a problem on does reach
// it again, with the same Seq and the problem's Ack set (Acknowledge): the
// alerts tell their receivers at once.
type FrameSink interface {
	TakeFrame(Frame)
	// Close is called once, after the last frame.
	Close()
}

// AddFrameSink adds a sink that takes every frame; call it before Run.
func (p *Pipeline) AddFrameSink(s FrameSink) {
	p.frameSinks = append(p.frameSinks, newQueue(s.TakeFrame, s.Close))
}

// startFrameSinks, pushFrame and closeFrameSinks are the loop's hooks.
func (p *Pipeline) startFrameSinks() {
	for _, r := range p.frameSinks {
		go r.run()
	}
}

// pushFrame hands f to the frame sinks when it is new: a republished
// frame (the same Seq) is not.
func (p *Pipeline) pushFrame(f Frame, prevSeq uint64) {
	if f.Seq == 0 || f.Seq == prevSeq {
		return
	}
	for _, r := range p.frameSinks {
		r.push(f)
	}
}

func (p *Pipeline) closeFrameSinks() {
	for _, r := range p.frameSinks {
		r.close()
	}
}
