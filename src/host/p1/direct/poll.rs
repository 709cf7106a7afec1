//! `poll_oneoff` over the direct backend's descriptors and the virtual
//! clocks.

use super::*;

impl P1Direct {
    /// The general `poll_oneoff`: every MemFs and stdio descriptor is
    /// ready at once, so a poll with any descriptor in it returns without
    /// waiting; a poll of clocks alone waits in virtual time for the first.
    pub(super) async fn poll(
        &mut self,
        mem: &mut GuestMemory<'_>,
        subs: GuestPtr<[types::Subscription]>,
        events: GuestPtr<[types::Event]>,
    ) -> Result<types::Size> {
        self.spend_array(subs)?;
        self.spend_array(events)?;
        let mut clocks = Vec::new();
        let mut any_fd = false;
        let mut all = Vec::new();
        for sub in subs.iter() {
            let sub = mem.read(sub?)?;
            match &sub.u {
                types::SubscriptionU::Clock(c) => {
                    let abs = c.flags.contains(types::Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME);
                    let wait = match c.id {
                        types::Clockid::Monotonic if abs => c.timeout.saturating_sub(self.core.clock.monotonic()),
                        types::Clockid::Monotonic | types::Clockid::Realtime if !abs => c.timeout,
                        types::Clockid::Realtime => c.timeout.saturating_sub(wall_ns(self.core.clock.wall())),
                        _ => return Err(E::Inval.into()),
                    };
                    clocks.push(wait);
                }
                types::SubscriptionU::FdRead(s) => match self.desc(s.file_descriptor)? {
                    Desc::Stdin | Desc::File(_) => any_fd = true,
                    _ => return Err(E::Badf.into()),
                },
                types::SubscriptionU::FdWrite(s) => match self.desc(s.file_descriptor)? {
                    Desc::Stdout | Desc::Stderr | Desc::File(_) => any_fd = true,
                    _ => return Err(E::Badf.into()),
                },
            }
            all.push(sub);
        }
        let first = clocks.iter().copied().min().unwrap_or(0);
        let until = if any_fd { 0 } else { first };
        if until > 0 {
            crate::host::clocks::sleep_ns(until).await;
        }
        let mut count: types::Size = 0;
        let mut clock_waits = clocks.into_iter();
        for sub in all {
            let event = |type_, flags, nbytes| types::Event {
                userdata: sub.userdata,
                error: E::Success,
                type_,
                fd_readwrite: types::EventFdReadwrite { flags, nbytes },
            };
            let e = match sub.u {
                types::SubscriptionU::Clock(_) => {
                    if clock_waits.next().unwrap_or(u64::MAX) > until {
                        continue;
                    }
                    event(types::Eventtype::Clock, types::Eventrwflags::empty(), 0)
                }
                types::SubscriptionU::FdRead(s) => {
                    let hangup = match self.desc(s.file_descriptor)? {
                        Desc::File(f) => {
                            let (fd, pos) = (borrow(&f.fd), f.pos);
                            self.view().stat(&fd)?.size.saturating_sub(pos) == 0
                        }
                        _ => false,
                    };
                    let flags = if hangup { types::Eventrwflags::FD_READWRITE_HANGUP } else { types::Eventrwflags::empty() };
                    event(types::Eventtype::FdRead, flags, 1)
                }
                types::SubscriptionU::FdWrite(_) => event(types::Eventtype::FdWrite, types::Eventrwflags::empty(), 1),
            };
            let slot = events.get(count).ok_or(E::Overflow)?;
            mem.write(slot, e)?;
            count = count.checked_add(1).ok_or(E::Overflow)?;
        }
        Ok(count)
    }
}
