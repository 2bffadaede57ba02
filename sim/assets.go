package sim

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"sync"
)

// asset is one static resource as served: its body, and a gzipped body when
// the scenario compresses text.
type asset struct {
	contentType string
	body        []byte
	gzipped     []byte
}

// assetCache builds each distinct body once: generating and gzipping
// hundreds of kilobytes per request would dominate a demo's CPU.
type assetCache struct {
	sc    *scenario
	names map[string]int // asset name to kind
	once  [3]sync.Once
	kinds [3]*asset
}

// Asset kinds.
const (
	kindCSS = iota
	kindJS
	kindImage
)

func newAssetCache(sc *scenario) *assetCache {
	names := map[string]int{}
	for i, name := range sc.assetNames() {
		switch i {
		case 0:
			names[name] = kindCSS
		case 1:
			names[name] = kindJS
		default:
			names[name] = kindImage
		}
	}
	return &assetCache{sc: sc, names: names}
}

// assetNames lists the page's resources in page order: one stylesheet, one
// script, and images for the rest, so the page's resource count is the
// model's.
func (sc *scenario) assetNames() []string {
	names := []string{"app.css", "app.js"}
	for i := 1; len(names) < sc.resources; i++ {
		names = append(names, fmt.Sprintf("img-%02d.png", i))
	}
	return names
}

// lookup returns the asset behind a name from assetNames, or nil.
func (c *assetCache) lookup(name string) *asset {
	kind, ok := c.names[name]
	if !ok {
		return nil
	}
	c.once[kind].Do(func() { c.kinds[kind] = c.build(kind) })
	return c.kinds[kind]
}

// build makes one asset whose size as transferred is the model's bytes per
// resource: images are already compressed and go out as they are; text is
// gzipped when the scenario says so, and then it is the gzipped size that
// matches.
func (c *assetCache) build(kind int) *asset {
	size := int(c.sc.resourceBytes)
	if kind == kindImage {
		return &asset{contentType: "image/png", body: paddedPNG(size)}
	}
	a := &asset{contentType: "text/css; charset=utf-8"}
	if kind == kindJS {
		a.contentType = "text/javascript; charset=utf-8"
	}
	if !c.sc.gzipText {
		a.body = text(kind, size)
		return a
	}
	// Text of this kind compresses about 2 to 3 times; refine the raw length
	// a few times until the gzipped size lands within 1% of the target.
	raw := size * 2
	for range 6 {
		a.body = text(kind, raw)
		a.gzipped = gzipBytes(a.body)
		got := len(a.gzipped)
		if diff := got - size; diff*100 < size && -diff*100 < size {
			break
		}
		raw = raw * size / got
	}
	return a
}

// text returns exactly n bytes of valid CSS or JavaScript with seeded random
// values, so it compresses like real minified code rather than to nothing.
func text(kind, n int) []byte {
	r := rand.New(rand.NewPCG(uint64(kind), 7))
	var b bytes.Buffer
	b.Grow(n + 64)
	for i := 0; b.Len() < n; i++ {
		if kind == kindCSS {
			fmt.Fprintf(&b, ".c%d{color:#%06x;margin:%dpx}\n", i, r.Uint32()&0xffffff, r.IntN(64))
		} else {
			fmt.Fprintf(&b, "var v%d=\"%016x\";\n", i, r.Uint64())
		}
	}
	out := b.Bytes()[:n]
	out[n-1] = '\n'
	return out
}

func gzipBytes(p []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write(p) // writes to a bytes.Buffer cannot fail
	_ = w.Close()
	return b.Bytes()
}

// paddedPNG returns a valid 8x8 PNG of exactly n bytes: a private ancillary
// chunk of random bytes brings it to size, so browsers render it and the
// bytes do not compress, like a real photo.
func paddedPNG(n int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img) // encoding an in-memory image to a buffer cannot fail
	base := b.Bytes()
	const iend = 12 // the IEND chunk closes every PNG
	pad := n - len(base) - 12
	if pad < 0 {
		return base
	}
	head, tail := base[:len(base)-iend], base[len(base)-iend:]
	data := make([]byte, pad)
	r := rand.New(rand.NewPCG(42, 42))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	// "lwPd": ancillary, private, safe to copy, so decoders skip it.
	chunk := make([]byte, 0, pad+12)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(pad))
	chunk = append(chunk, "lwPd"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	out := make([]byte, 0, n)
	out = append(out, head...)
	out = append(out, chunk...)
	return append(out, tail...)
}
