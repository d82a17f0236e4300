// Which devices `closeWindows` visits, so that its cost follows the devices that may have a
// window to close rather than every device in memory (with 100,000 devices, a scan of all of
// them at every tick was most of an idle gateway's CPU).
//
// A device's window becomes due in one of two ways:
// * a message moves its watermark (or opens a window): the device is *touched* (`touch`) and
//   checked at the next call;
// * idle time carries its watermark forward: that happens at an ingest clock computable from
//   its last message (`Watermark.idleClockMillis`), so the device waits in `closeSchedule`, a
//   min-heap by that instant, and is checked once the clock reaches it.
// Checking a device early is harmless (the check is the one the scan did), so a schedule entry
// may be early but never late: a later resume instant only delays the true one, and a device
// rescheduled later keeps its earlier entry. Devices are checked in device order, as the scan
// visited them, so the rollups come out in the same order.
//
// Watermarks are carried forward lazily: `carriedClockMillis` and `carriedResumedMillis` are
// the latest ingest clock and resume instant given, and a device's watermark is brought up to
// them when it is read or changed (`catchUp`, `effectiveWatermark`), unless no call came since
// its last message (`observedAtTick`: a clock given before the message is not applied after
// it). That equals carrying every device forward at every call while the resume instant stays
// the same and the clock does not go back, since the carried watermark only grows with the
// clock; when the resume instant changes (a reconnect) or the clock goes back, every device is
// first carried forward to the old values, as the scan would have.
extension WindowAggregator {
    /// Marks `device` to be checked by the next `closeWindows`. O(1).
    mutating func touch(device: Int) {
        guard !devices[device].isTouched else { return }
        devices[device].isTouched = true
        touchedDevices.append(Int32(device))
    }

    /// `device`'s watermark as if carried forward at every `closeWindows` since its last
    /// message. O(1).
    func effectiveWatermark(device: Int) -> Int64 {
        guard carryTick > devices[device].observedAtTick else { return devices[device].watermark.millis }
        return devices[device].watermark.carriedForward(
            ingestClockMillis: carriedClockMillis, resumedAtMillis: carriedResumedMillis,
            allowedLatenessMillis: allowedLatenessMillis)
    }

    /// Brings `device`'s watermark up to `effectiveWatermark`. O(1).
    mutating func catchUp(device: Int) {
        guard carryTick > devices[device].observedAtTick else { return }
        devices[device].watermark.carryForward(
            ingestClockMillis: carriedClockMillis, resumedAtMillis: carriedResumedMillis,
            allowedLatenessMillis: allowedLatenessMillis)
    }

    /// Moves the lazily applied clock to `ingestClockMillis` and `resumedAtMillis`. While the
    /// resume instant stays and the clock does not go back, applying only the latest clock
    /// equals applying each in turn; otherwise every device is first carried forward to the old
    /// values. O(1), or O(devices) at a resume or a clock going back (the engine's never does).
    mutating func advanceCarry(ingestClockMillis: Int64, resumedAtMillis: Int64) {
        if carriedClockMillis != .min
            && (resumedAtMillis != carriedResumedMillis || ingestClockMillis < carriedClockMillis)
        {
            for device in devices.indices where !devices[device].isVacant { catchUp(device: device) }
            carriedClockMillis = ingestClockMillis
        } else {
            carriedClockMillis = max(carriedClockMillis, ingestClockMillis)
        }
        carriedResumedMillis = resumedAtMillis
        carryTick += 1
    }

    /// The devices to check at `clockMillis`, each once, ascending: the touched ones and those
    /// whose scheduled instant has come. Clears both. O(k log k) for k devices, plus
    /// O(log devices) per schedule entry taken.
    mutating func devicesToCheck(atClockMillis clockMillis: Int64) -> [Int32] {
        var due = devicesToCheckScratch
        due.removeAll(keepingCapacity: true)
        for device in touchedDevices {
            devices[Int(device)].isTouched = false
            due.append(device)
        }
        touchedDevices.removeAll(keepingCapacity: true)
        while let entry = closeSchedule.popDue(atOrBefore: clockMillis) {
            guard devices[Int(entry.device)].scheduledCloseMillis == entry.dueMillis else { continue }
            devices[Int(entry.device)].scheduledCloseMillis = .max
            due.append(entry.device)
        }
        if due.count > 1 {
            due.sort()
            var kept = 1
            for position in 1..<due.count where due[position] != due[kept - 1] {
                due[kept] = due[position]
                kept += 1
            }
            due.removeLast(due.count - kept)
        }
        devicesToCheckScratch = due
        return due
    }

    /// Enters `device` in `closeSchedule` for the clock at which idle time makes its next window
    /// due, unless it is already there for that instant or an earlier one. O(log devices).
    mutating func schedule(device: Int) {
        let state = devices[device]
        guard !state.isVacant, state.nextCloseMillis != .max else { return }
        let due = state.watermark.idleClockMillis(
            reaching: state.nextCloseMillis, resumedAtMillis: carriedResumedMillis,
            allowedLatenessMillis: allowedLatenessMillis)
        guard due != .max, due < state.scheduledCloseMillis else { return }
        devices[device].scheduledCloseMillis = due
        closeSchedule.insert(device: Int32(device), dueMillis: due)
    }
}
