import Foundation

/// Reads a configuration or catalogue file as UTF-8 text, saying in words why it could not.
enum ConfigTextFile {
    /// The file's text, or the reason it could not be read (e.g. `file not found`).
    enum Contents {
        /// The whole file as text.
        case text(String)
        /// Why the file could not be read, worded for an operator.
        case unreadable(String)
    }

    /// Reads the whole file at `path`.
    static func read(path: String) -> Contents {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .unreadable("file not found")
        }
        if isDirectory.boolValue {
            return .unreadable("is a directory, expected a YAML file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .unreadable("cannot be read (check its permissions)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            return .unreadable("is not UTF-8 text")
        }
        return .text(text)
    }

    /// `path` as is when absolute, else joined to `directory` (the directory of the file that
    /// names it); `directory` empty means the working directory.
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty {
            return path
        }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// The directory part of `path` (`config` for `config/gateway.yaml`, empty for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else {
            return ""
        }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
