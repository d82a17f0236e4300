/// A window of one series and tier that has not been written yet.
struct OpenWindow {
    var startMillis: Int64
    var partial: WindowPartial
}
