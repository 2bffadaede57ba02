// Package probe looks at a sale page the way a first visitor's browser
// starts to: it fetches the HTML, checks the purchase button's marker (a
// CSS selector, optionally its text, optionally that it is neither disabled
// nor hidden by an inline style), and lists and sizes every resource the
// page pulls: images and srcset candidates, scripts, stylesheets, preloads,
// and the url()s inside those stylesheets, one level deep.
//
// For each resource it records the status, the size as transferred (HEAD,
// falling back to a ranged GET, then a full GET, when HEAD says nothing),
// the Content-Encoding, the cacheability (Cache-Control, ETag) and whether
// a configured CDN host serves it. Requests ask for gzip, as every browser
// does, so compression is seen as visitors get it.
//
// Every request is made at every Run, but a page or stylesheet whose body
// (and Content-Encoding) is byte for byte the one an earlier Run got from
// the same URL is not decoded and parsed again: what was read from it then
// is used.
//
// One Run is bounded everywhere: a total deadline, a cap on the bytes read
// from the page and from each body, a cap on the resources, a cap on
// redirects, and a fixed number of requests in flight. Configured headers
// go only to the page's own host, never to third parties the page names.
//
// An Audit judges one run before a launch, as `launchwatch probe` prints
// it: the button, the page against the plan by the link it takes at the
// planned peak (capacity's PageAudit, the rule the live probe's problem
// follows), and what to compress, move to the CDN or fix.
//
// The package is pure logic and HTTP: it imports snapshot to clean
// untrusted text (the page's title, element text, server messages) where
// it enters, and capacity for the plan an Audit holds the page against.
package probe
