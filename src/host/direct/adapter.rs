//! The conversions each world's adapter needs, written once as a macro
//! that `p2` and `p3` expand over their own generated types.

/// The conversions each world's adapter needs, written once. The invoking
/// module imports its world's `types`, `preopens`, `ErrorCode`,
/// `DescriptorType`, `DescriptorStat`, `DescriptorFlags`, `OpenFlags`,
/// `PathFlags` and `MetadataHashValue`; `$err` is its trappable error type
/// and `$time` turns a `FileTime` into its optional timestamp.
macro_rules! world_adapter {
    ($err:ty, $time:ident) => {
        /// Links the direct `wasi:filesystem/{types,preopens}` over the ones
        /// the linker already has.
        pub(crate) fn add_to_linker<T: crate::host::HostState>(
            linker: &mut wasmtime::component::Linker<T>,
        ) -> wasmtime::Result<()> {
            linker.allow_shadowing(true);
            types::add_to_linker::<T, super::DirectData>(linker, super::view)?;
            preopens::add_to_linker::<T, super::DirectData>(linker, super::view)?;
            linker.allow_shadowing(false);
            Ok(())
        }

        /// The one exhaustive mapping from our errors to the world's codes.
        pub(crate) fn code(e: super::Errno) -> ErrorCode {
            use crate::memfs::ErrorKind as K;
            match e {
                super::Errno::BadDescriptor => ErrorCode::BadDescriptor,
                super::Errno::Unsupported => ErrorCode::Unsupported,
                super::Errno::Io => ErrorCode::Io,
                super::Errno::Fs(k) => match k {
                    K::NotFound => ErrorCode::NoEntry,
                    K::Exists => ErrorCode::Exist,
                    K::NotDir => ErrorCode::NotDirectory,
                    K::IsDir => ErrorCode::IsDirectory,
                    K::NotEmpty => ErrorCode::NotEmpty,
                    K::InvalidPath | K::InvalidArgument => ErrorCode::Invalid,
                    K::NotPermitted => ErrorCode::NotPermitted,
                    K::Loop => ErrorCode::Loop,
                    K::NoSpace => ErrorCode::InsufficientSpace,
                    K::TooLarge => ErrorCode::FileTooLarge,
                    K::NameTooLong => ErrorCode::NameTooLong,
                    K::Busy => ErrorCode::Busy,
                    K::Overflow => ErrorCode::Overflow,
                },
            }
        }

        /// A guest-visible error becomes the world's code; a host failure
        /// stays a trap.
        fn lift<T>(r: wasmtime::Result<super::Res<T>>) -> Result<T, $err> {
            match r {
                Ok(Ok(v)) => Ok(v),
                Ok(Err(e)) => Err(<$err>::from(code(e))),
                Err(trap) => Err(<$err>::trap(trap)),
            }
        }

        fn dtype(k: crate::memfs::Kind) -> DescriptorType {
            match k {
                crate::memfs::Kind::File => DescriptorType::RegularFile,
                crate::memfs::Kind::Dir => DescriptorType::Directory,
                crate::memfs::Kind::Symlink => DescriptorType::SymbolicLink,
            }
        }

        fn stat(m: &crate::memfs::Metadata) -> DescriptorStat {
            DescriptorStat {
                type_: dtype(m.kind),
                link_count: m.nlink,
                size: m.size,
                data_access_timestamp: $time(m.atime),
                data_modification_timestamp: $time(m.mtime),
                status_change_timestamp: $time(m.ctime),
            }
        }

        fn flags_in(f: DescriptorFlags) -> super::Flags {
            super::Flags {
                read: f.contains(DescriptorFlags::READ),
                write: f.contains(DescriptorFlags::WRITE),
                mutate: f.contains(DescriptorFlags::MUTATE_DIRECTORY),
                sync: f.intersects(
                    DescriptorFlags::FILE_INTEGRITY_SYNC
                        | DescriptorFlags::DATA_INTEGRITY_SYNC
                        | DescriptorFlags::REQUESTED_WRITE_SYNC,
                ),
            }
        }

        fn flags_out(f: super::Flags) -> DescriptorFlags {
            let mut out = DescriptorFlags::empty();
            if f.read {
                out |= DescriptorFlags::READ;
            }
            if f.write {
                out |= DescriptorFlags::WRITE;
            }
            if f.mutate {
                out |= DescriptorFlags::MUTATE_DIRECTORY;
            }
            out
        }

        fn open_flags(o: OpenFlags) -> super::Open {
            super::Open {
                create: o.contains(OpenFlags::CREATE),
                exclusive: o.contains(OpenFlags::EXCLUSIVE),
                truncate: o.contains(OpenFlags::TRUNCATE),
                directory: o.contains(OpenFlags::DIRECTORY),
            }
        }

        fn follow(p: PathFlags) -> bool {
            p.contains(PathFlags::SYMLINK_FOLLOW)
        }

        fn hash((lower, upper): (u64, u64)) -> MetadataHashValue {
            MetadataHashValue { lower, upper }
        }
    };
}
pub(crate) use world_adapter;
