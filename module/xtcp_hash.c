// SPDX-License-Identifier: GPL-2.0
/*
 * XTCP's own inet_hashinfo: established (ehash), bind (bhash, bhash2) and
 * listener (lhash2) tables, so XTCP's port space is separate from TCP's.
 */
#define pr_fmt(fmt) "xtcp: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/gfp.h>

#include "xtcp.h"

struct inet_hashinfo xtcp_hashinfo;

static unsigned int xtcp_ehash_order;
static unsigned int xtcp_bhash_order;

/* one page of ehash per 2 MiB of RAM, like the other inet transports */
static unsigned int xtcp_hash_order(void)
{
	unsigned long goal = totalram_pages() >> (21 - PAGE_SHIFT);
	unsigned int order = 0;

	while ((1UL << order) < goal && order < 6)
		order++;
	return order;
}

/**
 * xtcp_hashinfo_init() - allocate and initialise XTCP's hash tables
 *
 * Return: 0 or a negative errno; nothing stays allocated on failure.
 */
int xtcp_hashinfo_init(void)
{
	struct inet_hashinfo *h = &xtcp_hashinfo;
	unsigned long size;
	unsigned int i;
	int err;

	err = inet_hashinfo2_init_mod(h);
	if (err)
		return err;

	err = -ENOMEM;
	h->bind_bucket_cachep = kmem_cache_create("xtcp_bind_bucket",
						  sizeof(struct inet_bind_bucket),
						  0, SLAB_HWCACHE_ALIGN, NULL);
	if (!h->bind_bucket_cachep)
		goto out_lhash2;
	h->bind2_bucket_cachep = kmem_cache_create("xtcp_bind2_bucket",
						   sizeof(struct inet_bind2_bucket),
						   0, SLAB_HWCACHE_ALIGN, NULL);
	if (!h->bind2_bucket_cachep)
		goto out_bind_cache;

	xtcp_ehash_order = xtcp_hash_order();
	h->ehash = (struct inet_ehash_bucket *)
		__get_free_pages(GFP_KERNEL | __GFP_NOWARN, xtcp_ehash_order);
	if (!h->ehash)
		goto out_bind2_cache;
	size = (PAGE_SIZE << xtcp_ehash_order) / sizeof(struct inet_ehash_bucket);
	size = rounddown_pow_of_two(size);
	h->ehash_mask = size - 1;
	for (i = 0; i < size; i++)
		INIT_HLIST_NULLS_HEAD(&h->ehash[i].chain, i);
	if (inet_ehash_locks_alloc(h))
		goto out_ehash;

	xtcp_bhash_order = xtcp_ehash_order;
	h->bhash = (struct inet_bind_hashbucket *)
		__get_free_pages(GFP_KERNEL | __GFP_NOWARN, xtcp_bhash_order);
	if (!h->bhash)
		goto out_locks;
	h->bhash2 = (struct inet_bind_hashbucket *)
		__get_free_pages(GFP_KERNEL | __GFP_NOWARN, xtcp_bhash_order);
	if (!h->bhash2)
		goto out_bhash;
	h->bhash_size = (PAGE_SIZE << xtcp_bhash_order) /
			sizeof(struct inet_bind_hashbucket);
	for (i = 0; i < h->bhash_size; i++) {
		spin_lock_init(&h->bhash[i].lock);
		INIT_HLIST_HEAD(&h->bhash[i].chain);
		spin_lock_init(&h->bhash2[i].lock);
		INIT_HLIST_HEAD(&h->bhash2[i].chain);
	}
	h->pernet = false;
	return 0;

out_bhash:
	free_pages((unsigned long)h->bhash, xtcp_bhash_order);
out_locks:
	inet_ehash_locks_free(h);
out_ehash:
	free_pages((unsigned long)h->ehash, xtcp_ehash_order);
out_bind2_cache:
	kmem_cache_destroy(h->bind2_bucket_cachep);
out_bind_cache:
	kmem_cache_destroy(h->bind_bucket_cachep);
out_lhash2:
	inet_hashinfo2_free_mod(h);
	memset(h, 0, sizeof(*h));
	return err;
}

/**
 * xtcp_hashinfo_destroy() - free the tables of xtcp_hashinfo_init()
 *
 * Called once no XTCP socket, request or TIME-WAIT sock exists.
 */
void xtcp_hashinfo_destroy(void)
{
	struct inet_hashinfo *h = &xtcp_hashinfo;

	free_pages((unsigned long)h->bhash2, xtcp_bhash_order);
	free_pages((unsigned long)h->bhash, xtcp_bhash_order);
	inet_ehash_locks_free(h);
	free_pages((unsigned long)h->ehash, xtcp_ehash_order);
	kmem_cache_destroy(h->bind2_bucket_cachep);
	kmem_cache_destroy(h->bind_bucket_cachep);
	inet_hashinfo2_free_mod(h);
	memset(h, 0, sizeof(*h));
}
