package host

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// INET_DIAG wire layout (linux/inet_diag.h); x/sys/unix does not define
// these structs, so they are laid out by hand.
const (
	netlinkReqV2Len   = 56 // struct inet_diag_req_v2
	netlinkDiagMsgLen = 72 // struct inet_diag_msg
	netlinkTCPEstab   = 1  // TCP_ESTABLISHED in include/net/tcp_states.h
	netlinkRecvBuf    = 64 << 10
)

// netlinkCountEstablished counts ESTABLISHED TCP sockets, IPv4 and IPv6,
// whose local port is one of ports (sorted), with one SOCK_DIAG_BY_FAMILY
// dump per family. The kernel filters by state; the ports are matched
// here, which costs one comparison per established socket.
//
// It uses plain x/sys/unix rather than a netlink library: one request and a
// read loop are less code than adapting a library's message types, and the
// count allocates nothing per socket.
func netlinkCountEstablished(ctx context.Context, ports []uint16) (int, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return 0, fmt.Errorf("netlink socket: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, fmt.Errorf("netlink bind: %w", err)
	}
	buf := make([]byte, netlinkRecvBuf)
	total := 0
	for i, family := range []uint8{unix.AF_INET, unix.AF_INET6} {
		n, err := netlinkDump(ctx, fd, family, uint32(i+1), ports, buf)
		if err != nil {
			return 0, fmt.Errorf("dump %s sockets: %w", netlinkFamilyName(family), err)
		}
		total += n
	}
	return total, nil
}

func netlinkFamilyName(family uint8) string {
	if family == unix.AF_INET6 {
		return "IPv6"
	}
	return "IPv4"
}

// netlinkDump sends one dump request and counts the matching replies.
func netlinkDump(ctx context.Context, fd int, family uint8, seq uint32, ports []uint16, buf []byte) (int, error) {
	req := make([]byte, unix.NLMSG_HDRLEN+netlinkReqV2Len)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(req[8:], seq)
	body := req[unix.NLMSG_HDRLEN:]
	body[0] = family
	body[1] = unix.IPPROTO_TCP
	ne.PutUint32(body[4:], 1<<netlinkTCPEstab) // idiag_states
	if err := unix.Sendto(fd, req, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return 0, fmt.Errorf("send request: %w", err)
	}

	count := 0
	for {
		if err := netlinkSetDeadline(ctx, fd); err != nil {
			return 0, err
		}
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if errors.Is(err, unix.EAGAIN) {
			return 0, fmt.Errorf("receive: %w", context.DeadlineExceeded)
		}
		if err != nil {
			return 0, fmt.Errorf("receive: %w", err)
		}
		done, c, err := netlinkCount(buf[:n], seq, ports)
		if err != nil {
			return 0, err
		}
		count += c
		if done {
			return count, nil
		}
	}
}

// netlinkSetDeadline bounds the next receive by ctx's deadline.
func netlinkSetDeadline(ctx context.Context, fd int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	left := max(time.Until(deadline), time.Millisecond)
	tv := unix.NsecToTimeval(left.Nanoseconds())
	if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
		return fmt.Errorf("set receive timeout: %w", err)
	}
	return nil
}

// netlinkCount walks one datagram of netlink messages: it counts the
// inet_diag_msg replies of this dump whose local port is in ports and
// reports whether the dump is done.
func netlinkCount(b []byte, seq uint32, ports []uint16) (done bool, count int, err error) {
	ne := binary.NativeEndian
	for len(b) >= unix.NLMSG_HDRLEN {
		l := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if l < unix.NLMSG_HDRLEN || l > len(b) {
			return false, 0, fmt.Errorf("malformed netlink message: length %d of %d bytes", l, len(b))
		}
		msg := b[unix.NLMSG_HDRLEN:l]
		if ne.Uint32(b[8:]) == seq {
			switch typ {
			case unix.NLMSG_DONE:
				return true, count, nil
			case unix.NLMSG_ERROR:
				if len(msg) < 4 {
					return false, 0, errors.New("short netlink error message")
				}
				if errno := -int32(ne.Uint32(msg)); errno != 0 {
					return false, 0, fmt.Errorf("kernel: %w", syscall.Errno(errno))
				}
			case unix.SOCK_DIAG_BY_FAMILY:
				if len(msg) < netlinkDiagMsgLen {
					return false, 0, fmt.Errorf("short inet_diag_msg: %d bytes", len(msg))
				}
				// idiag_sport: network byte order, after family, state,
				// timer and retrans.
				if _, ok := slices.BinarySearch(ports, binary.BigEndian.Uint16(msg[4:])); ok {
					count++
				}
			}
		}
		next := (l + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1)
		if next >= len(b) {
			break
		}
		b = b[next:]
	}
	return false, count, nil
}
