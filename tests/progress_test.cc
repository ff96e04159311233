// The progress printer (tools/terminal_progress.h): durations in words, the text of a progress
// line, the redrawn line on a real pseudo-terminal, and periodic full lines everywhere else.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "engine/rate_budget.h"
#include "engine/target_profile.h"
#include "tools/terminal_progress.h"

namespace scimflow {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ProgressTest, DurationsReadAsAPersonWouldSayThem) {
  EXPECT_EQ(FormatHumaneDuration(seconds(-3)), "0 s");
  EXPECT_EQ(FormatHumaneDuration(milliseconds(400)), "0 s");
  EXPECT_EQ(FormatHumaneDuration(seconds(45)), "45 s");
  EXPECT_EQ(FormatHumaneDuration(milliseconds(59'600)), "1 min");
  EXPECT_EQ(FormatHumaneDuration(seconds(200)), "3 min 20 s");
  EXPECT_EQ(FormatHumaneDuration(minutes(42) + seconds(29)), "42 min");
  EXPECT_EQ(FormatHumaneDuration(minutes(59) + seconds(31)), "1 h");
  EXPECT_EQ(FormatHumaneDuration(hours(3) + minutes(20)), "3 h 20 min");
  EXPECT_EQ(FormatHumaneDuration(hours(47) + minutes(5)), "47 h 5 min");
  EXPECT_EQ(FormatHumaneDuration(hours(48)), "about 2 days");
  EXPECT_EQ(FormatHumaneDuration(hours(24 * 30)), "about 30 days");
}

// SPEC §1: a 100,000-user migration into github-emu runs at 1,000 user assignments an hour; the
// ETA the budgets give must read "about 4 days".
TEST(ProgressTest, HundredThousandUserEmuMigrationReadsAboutFourDays) {
  const TargetProfile* emu = FindProfile("github-emu");
  ASSERT_NE(emu, nullptr);
  std::vector<BucketSpec> specs;
  for (const RateBudgetSpec& spec : emu->budgets) specs.push_back(BucketSpecFromProfile(spec));
  const RateBudget::TimePoint now = RateBudget::Clock::now();
  RateBudget budget(std::move(specs), now);
  const BudgetDraw remaining[] = {{budget_names::kUserAssignments, "", 100'000},
                                  {budget_names::kRequests, "", 100'000},
                                  {budget_names::kWrites, "", 100'000}};
  EXPECT_EQ(FormatHumaneDuration(budget.EstimateDuration(remaining, now)), "about 4 days");
}

Progress SampleProgress() {
  Progress progress;
  progress.operations_total = 100000;
  progress.operations_done = 1234;
  progress.requests_sent = 1300;
  progress.retries = 5;
  progress.rate_limited = 2;
  progress.elapsed = seconds(130);
  progress.eta = hours(3) + minutes(20);
  progress.limiting_budget = "user-assignments";
  return progress;
}

TEST(ProgressTest, LineShowsDoneTotalRateRetries429sEtaAndTheLimitingBudget) {
  Progress progress = SampleProgress();
  EXPECT_EQ(FormatProgressLine(progress),
            "1234/100000 operations (1.2%), 10.0 requests/s, 5 retries, 2 429s, ETA 3 h 20 min "
            "(waiting for user-assignments)");
  progress.operations_failed = 3;
  progress.eta.reset();
  progress.limiting_budget.clear();
  EXPECT_EQ(FormatProgressLine(progress),
            "1234/100000 operations (1.2%), 3 failed, 10.0 requests/s, 5 retries, 2 429s");
  EXPECT_EQ(FormatProgressLine(Progress{}),
            "0/0 operations (100.0%), 0.0 requests/s, 0 retries, 0 429s");
}

// A migration of 100 users into 3 groups: creates, group creates and member adds to do; two
// creates were done by an earlier run (--resume) and one member add failed.
Progress MigrationProgress() {
  Progress progress = SampleProgress();
  progress.eta.reset();
  progress.limiting_budget.clear();
  KindOutcomes& creates = progress.kinds[static_cast<size_t>(OperationKind::kUserCreate)];
  creates = {.planned = 100, .done = 60, .skipped = 2, .failed = 0};
  KindOutcomes& groups = progress.kinds[static_cast<size_t>(OperationKind::kGroupCreate)];
  groups = {.planned = 3, .done = 3, .skipped = 0, .failed = 0};
  KindOutcomes& adds = progress.kinds[static_cast<size_t>(OperationKind::kGroupMembersAdd)];
  adds = {.planned = 5, .done = 0, .skipped = 0, .failed = 1};
  progress.operations_total = 106;
  progress.operations_done = 64;
  progress.operations_failed = 1;
  return progress;
}

TEST(ProgressTest, LineBreaksTheOperationsDownByKindInTheOrderTheyAreSent) {
  EXPECT_EQ(FormatProgressLine(MigrationProgress()),
            "64/106 operations (60.4%) [creates 60/98, group creates 3/3, member adds 1/5], "
            "1 failed, 10.0 requests/s, 5 retries, 2 429s");
  EXPECT_EQ(FormatProgressLine(MigrationProgress(), KindDetail::kLeftOut),
            "64/106 operations (60.4%), 1 failed, 10.0 requests/s, 5 retries, 2 429s");
}

TEST(ProgressTest, ARedrawnLineIsFittedToTheTerminalWidth) {
  const auto redraw_in = [](size_t columns) {
    std::FILE* screen = std::tmpfile();
    {
      std::unique_ptr<ProgressSink> sink =
          MakeProgressPrinter(screen, {.redraw = true, .columns = columns});
      sink->Update(MigrationProgress());
    }
    std::rewind(screen);
    std::string text(4096, '\0');
    text.resize(std::fread(text.data(), 1, text.size(), screen));
    std::fclose(screen);
    return text;
  };
  // Wide enough: everything.
  EXPECT_EQ(redraw_in(200),
            "\r64/106 operations (60.4%) [creates 60/98, group creates 3/3, member adds 1/5], "
            "1 failed, 10.0 requests/s, 5 retries, 2 429s\x1b[K");
  // 80 columns: the per-kind part goes; what remains fits in 79.
  EXPECT_EQ(redraw_in(80),
            "\r64/106 operations (60.4%), 1 failed, 10.0 requests/s, 5 retries, 2 429s\x1b[K");
  // Narrower still: cut, one column to spare so the terminal never wraps.
  EXPECT_EQ(redraw_in(30), "\r64/106 operations (60.4%), 1 \x1b[K");
}

// Reads what is waiting on `fd` (non-blocking) until nothing more comes.
std::string Drain(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got <= 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

TEST(ProgressTest, OnAPseudoTerminalOneLineIsRedrawnInPlaceWithAnEta) {
  int master = -1, slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  ASSERT_EQ(::fcntl(master, F_SETFL, O_NONBLOCK), 0);
  std::FILE* terminal = ::fdopen(slave, "w");
  ASSERT_NE(terminal, nullptr);
  {
    std::unique_ptr<ProgressSink> sink = MakeProgressSink(terminal, ProgressMode::kAuto);
    Progress progress = SampleProgress();
    sink->Update(progress);
    progress.operations_done = 2000;
    progress.elapsed = seconds(131);
    sink->Update(progress);
    progress.operations_done = 100000;
    progress.eta = seconds(0);
    progress.limiting_budget.clear();
    sink->Finish(progress);
  }
  std::fclose(terminal);
  const std::string shown = Drain(master);
  ::close(master);
  // The terminal turns the final "\n" into "\r\n" (ONLCR); everything else arrives as written.
  EXPECT_EQ(shown,
            "\r1234/100000 operations (1.2%), 10.0 requests/s, 5 retries, 2 429s, ETA 3 h 20 min "
            "(waiting for user-assignments)\x1b[K"
            "\r2000/100000 operations (2.0%), 9.9 requests/s, 5 retries, 2 429s, ETA 3 h 20 min "
            "(waiting for user-assignments)\x1b[K"
            "\r100000/100000 operations (100.0%), 9.9 requests/s, 5 retries, 2 429s, ETA 0 s"
            "\x1b[K\r\n");
}

std::string ReadBack(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t read;
  while ((read = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, read);
  return text;
}

TEST(ProgressTest, WithoutATerminalOneFullLinePerInterval) {
  std::FILE* log = std::tmpfile();
  ASSERT_NE(log, nullptr);
  ASSERT_EQ(::isatty(::fileno(log)), 0);
  {
    std::unique_ptr<ProgressSink> sink = MakeProgressSink(log, ProgressMode::kAuto);
    Progress progress = SampleProgress();
    progress.eta.reset();
    progress.limiting_budget.clear();
    // Updates every 10 s of run time for 3 minutes: lines at 0 s, 60 s, 120 s, then the end.
    for (int tick = 0; tick <= 18; ++tick) {
      progress.elapsed = seconds(10 * tick);
      progress.operations_done = 100 * tick;
      sink->Update(progress);
    }
    sink->Finish(progress);
  }
  EXPECT_EQ(ReadBack(log),
            "scimflow: 0 s elapsed, 0/100000 operations (0.0%), 0.0 requests/s, 5 retries, 2 429s\n"
            "scimflow: 1 min elapsed, 600/100000 operations (0.6%), 21.7 requests/s, 5 retries, "
            "2 429s\n"
            "scimflow: 2 min elapsed, 1200/100000 operations (1.2%), 10.8 requests/s, 5 retries, "
            "2 429s\n"
            "scimflow: 3 min elapsed, 1800/100000 operations (1.8%), 7.2 requests/s, 5 retries, "
            "2 429s\n"
            "scimflow: 3 min elapsed, 1800/100000 operations (1.8%), 7.2 requests/s, 5 retries, "
            "2 429s\n");
  std::fclose(log);
}

TEST(ProgressTest, TheIntervalIsInjectableAndVerboseShortensIt) {
  std::FILE* log = std::tmpfile();
  {
    std::unique_ptr<ProgressSink> sink =
        MakeProgressPrinter(log, ProgressPrinterOptions{false, seconds(5)});
    Progress progress;
    for (int tick = 0; tick <= 10; ++tick) {
      progress.elapsed = seconds(tick);
      sink->Update(progress);
    }
  }
  EXPECT_EQ(ReadBack(log),
            "scimflow: 0 s elapsed, 0/0 operations (100.0%), 0.0 requests/s, 0 retries, 0 429s\n"
            "scimflow: 5 s elapsed, 0/0 operations (100.0%), 0.0 requests/s, 0 retries, 0 429s\n"
            "scimflow: 10 s elapsed, 0/0 operations (100.0%), 0.0 requests/s, 0 retries, 0 429s\n");
  std::fclose(log);

  std::FILE* verbose_log = std::tmpfile();
  {
    std::unique_ptr<ProgressSink> sink = MakeProgressSink(verbose_log, ProgressMode::kVerbose);
    Progress progress;
    for (int tick = 0; tick <= 30; ++tick) {
      progress.elapsed = seconds(tick);
      sink->Update(progress);
    }
  }
  const std::string verbose = ReadBack(verbose_log);
  EXPECT_EQ(std::count(verbose.begin(), verbose.end(), '\n'), 4) << verbose;  // 0, 10, 20, 30 s
  std::fclose(verbose_log);
}

TEST(ProgressTest, QuietPrintsNothingEvenOnATerminal) {
  int master = -1, slave = -1;
  ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  ASSERT_EQ(::fcntl(master, F_SETFL, O_NONBLOCK), 0);
  std::FILE* terminal = ::fdopen(slave, "w");
  {
    std::unique_ptr<ProgressSink> sink = MakeProgressSink(terminal, ProgressMode::kQuiet);
    sink->Update(SampleProgress());
    sink->Finish(SampleProgress());
  }
  std::fclose(terminal);
  EXPECT_EQ(Drain(master), "");
  ::close(master);
}

}  // namespace
}  // namespace scimflow
