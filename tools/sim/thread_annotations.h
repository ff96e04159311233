// Clang thread-safety annotations (GUARDED_BY, REQUIRES …), in the manner of leveldb's
// port/thread_annotations.h: they document which mutex protects which member, and clang's
// -Wthread-safety checks them. Under other compilers they expand to nothing.
//
// std::mutex and std::shared_mutex carry no capability attribute in libstdc++, so the simulator
// uses the annotated wrappers below (SimMutex, with scoped SimWriteLock / SimReadLock).
#ifndef SCIMFLOW_TOOLS_SIM_THREAD_ANNOTATIONS_H_
#define SCIMFLOW_TOOLS_SIM_THREAD_ANNOTATIONS_H_

#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define SIM_THREAD_ANNOTATION_(x) __attribute__((x))
#else
#define SIM_THREAD_ANNOTATION_(x)
#endif

#define CAPABILITY(x) SIM_THREAD_ANNOTATION_(capability(x))
#define SCOPED_CAPABILITY SIM_THREAD_ANNOTATION_(scoped_lockable)
#define GUARDED_BY(x) SIM_THREAD_ANNOTATION_(guarded_by(x))
#define PT_GUARDED_BY(x) SIM_THREAD_ANNOTATION_(pt_guarded_by(x))
#define REQUIRES(...) SIM_THREAD_ANNOTATION_(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) SIM_THREAD_ANNOTATION_(requires_shared_capability(__VA_ARGS__))
#define ACQUIRE(...) SIM_THREAD_ANNOTATION_(acquire_capability(__VA_ARGS__))
#define ACQUIRE_SHARED(...) SIM_THREAD_ANNOTATION_(acquire_shared_capability(__VA_ARGS__))
#define RELEASE(...) SIM_THREAD_ANNOTATION_(release_capability(__VA_ARGS__))
#define RELEASE_SHARED(...) SIM_THREAD_ANNOTATION_(release_shared_capability(__VA_ARGS__))
#define EXCLUDES(...) SIM_THREAD_ANNOTATION_(locks_excluded(__VA_ARGS__))

namespace scimflow {

// A reader/writer mutex that clang's analysis knows about.
class CAPABILITY("mutex") SimMutex {
 public:
  void Lock() ACQUIRE() { mutex_.lock(); }
  void Unlock() RELEASE() { mutex_.unlock(); }
  void LockShared() ACQUIRE_SHARED() { mutex_.lock_shared(); }
  void UnlockShared() RELEASE_SHARED() { mutex_.unlock_shared(); }

 private:
  std::shared_mutex mutex_;
};

// Holds `*mutex` exclusively for the scope.
class SCOPED_CAPABILITY SimWriteLock {
 public:
  explicit SimWriteLock(SimMutex* mutex) ACQUIRE(mutex) : mutex_(mutex) { mutex_->Lock(); }
  ~SimWriteLock() RELEASE() { mutex_->Unlock(); }
  SimWriteLock(const SimWriteLock&) = delete;
  SimWriteLock& operator=(const SimWriteLock&) = delete;

 private:
  SimMutex* const mutex_;
};

// Holds `*mutex` shared (readers only) for the scope.
class SCOPED_CAPABILITY SimReadLock {
 public:
  explicit SimReadLock(SimMutex* mutex) ACQUIRE_SHARED(mutex) : mutex_(mutex) {
    mutex_->LockShared();
  }
  ~SimReadLock() RELEASE() { mutex_->UnlockShared(); }
  SimReadLock(const SimReadLock&) = delete;
  SimReadLock& operator=(const SimReadLock&) = delete;

 private:
  SimMutex* const mutex_;
};

}  // namespace scimflow

#endif  // SCIMFLOW_TOOLS_SIM_THREAD_ANNOTATIONS_H_
