// SPDX-License-Identifier: GPL-2.0
/*
 * i915-userptr-fork: load i915 in a process that can fork while the module's
 * init runs, for the fork subtest of the userptr mock selftests.
 *
 *   i915-userptr-fork <i915.ko> [param=value...]
 *
 * The i915 mock selftests run in module init, in the mm of the task loading
 * the module, and nothing exported lets a module fork that mm. So the main
 * thread of this program loads i915 (finit_module) with the given parameters
 * plus st_userptr_fork=<address of a mailbox page>, and a second thread,
 * sharing the mm the test maps its memory in, forks on the test's request:
 *
 *   test:   writes addr, pages, parent_seed, child_seed, then state = 1
 *   thread: fork(); the child checks that the first u32 of each page of the
 *           range holds parent_seed + i (what the parent had), writes
 *           child_seed + i there and exits 0 (1 and 2 report a mismatch);
 *           the thread waits for it, stores the wait status (or -errno of
 *           fork) in status, then state = 2
 *
 * Layout and states are those of struct up_fork_mailbox in
 * drivers/gpu/drm/i915/gem/selftests/i915_gem_userptr.c. The program exits 0
 * when finit_module succeeded; the test result is in i915's mock_selftests
 * parameter, as with modprobe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct up_fork_mailbox {
	uint64_t state;
	uint64_t addr;
	uint64_t pages;
	uint64_t parent_seed;
	uint64_t child_seed;
	int64_t status;
};

enum { UP_FORK_IDLE, UP_FORK_REQUEST, UP_FORK_DONE };

static void child(const struct up_fork_mailbox *req)
{
	uint64_t i;

	for (i = 0; i < req->pages; i++) {
		volatile uint32_t *p = (uint32_t *)(uintptr_t)(req->addr + i * 4096);

		if (*p != (uint32_t)(req->parent_seed + i))
			_exit(1);
		*p = req->child_seed + i;
		if (*p != (uint32_t)(req->child_seed + i))
			_exit(2);
	}
	_exit(0);
}

static void *forker(void *arg)
{
	struct up_fork_mailbox *mb = arg;
	const struct timespec ms = { 0, 1000000 };

	for (;;) {
		struct up_fork_mailbox req;
		int64_t status;
		pid_t pid;
		int ws;

		/* the test posts a request: poll for the event */
		while (__atomic_load_n(&mb->state, __ATOMIC_ACQUIRE) != UP_FORK_REQUEST)
			nanosleep(&ms, NULL);
		req = *mb;

		pid = fork();
		if (pid == 0)
			child(&req);
		if (pid < 0)
			status = -errno;
		else if (waitpid(pid, &ws, 0) < 0)
			status = -errno;
		else
			status = ws;
		mb->status = status;
		__atomic_store_n(&mb->state, UP_FORK_DONE, __ATOMIC_RELEASE);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct up_fork_mailbox *mb;
	size_t len = 64;
	pthread_t thread;
	char *params;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s <i915.ko> [param=value...]\n", argv[0]);
		return 2;
	}
	mb = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mb == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	for (i = 2; i < argc; i++)
		len += strlen(argv[i]) + 1;
	params = calloc(1, len);
	if (!params)
		return 1;
	for (i = 2; i < argc; i++) {
		strcat(params, argv[i]);
		strcat(params, " ");
	}
	sprintf(params + strlen(params), "st_userptr_fork=0x%lx",
		(unsigned long)mb);

	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	errno = pthread_create(&thread, NULL, forker, mb);
	if (errno) {
		perror("pthread_create");
		return 1;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		fprintf(stderr, "finit_module %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* exit() ends the forking thread too */
	return 0;
}
