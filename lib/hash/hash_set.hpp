// A set of Hash128 values in one flat table (open addressing, linear probing). Has-checks over a store of a
// million objects build several such sets; std::unordered_set spent one allocation and about 56 bytes per
// element on them, this table 17 to 34 bytes and no allocation per element.
//
// The slot of a value comes from both its halves mixed with a per-process random key: the hashes come from
// untrusted pack indexes and manifests, and a fixed mix would let a hostile store choose values that all
// land in one run of slots (every insert and lookup linear, a push quadratic).
#pragma once

#include "hash/xxh128.hpp"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace mlci {

class Hash128Set {
  public:
    class const_iterator {
      public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = Hash128;
        using difference_type = std::ptrdiff_t;
        using pointer = const Hash128*;
        using reference = const Hash128&;

        const_iterator() = default;
        reference operator*() const { return m_set->m_slots[m_i]; }
        pointer operator->() const { return &m_set->m_slots[m_i]; }
        const_iterator& operator++() {
            m_i = m_set->next_used(m_i + 1);
            return *this;
        }
        const_iterator operator++(int) {
            const_iterator old = *this;
            ++*this;
            return old;
        }
        bool operator==(const const_iterator& o) const { return m_i == o.m_i; }

      private:
        friend class Hash128Set;
        const_iterator(const Hash128Set* s, size_t i) : m_set(s), m_i(i) {}
        const Hash128Set* m_set = nullptr;
        size_t m_i = 0;
    };
    using iterator = const_iterator;
    using value_type = Hash128;

    Hash128Set() = default;
    template <class It>
    Hash128Set(It first, It last) {
        if constexpr (std::is_base_of_v<std::forward_iterator_tag,
                                        typename std::iterator_traits<It>::iterator_category>) {
            reserve(static_cast<size_t>(std::distance(first, last)));
        }
        insert(first, last);
    }

    Hash128Set(std::initializer_list<Hash128> l) : Hash128Set(l.begin(), l.end()) {}

    /// Adds h; .second is false when it was there already.
    std::pair<const_iterator, bool> insert(const Hash128& h);
    template <class It>
    void insert(It first, It last) {
        for (; first != last; ++first) {
            insert(*first);
        }
    }
    size_t count(const Hash128& h) const { return contains(h) ? 1 : 0; }
    bool contains(const Hash128& h) const;
    /// Room for n values without growing.
    void reserve(size_t n);
    void clear();
    size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    const_iterator begin() const { return {this, next_used(0)}; }
    const_iterator end() const { return {this, m_slots.size()}; }

    /// The same values, whatever the layout.
    bool operator==(const Hash128Set& o) const;

  private:
    size_t slot_of(const Hash128& h) const;
    size_t next_used(size_t i) const;
    void grow(size_t capacity);

    std::vector<Hash128> m_slots;
    std::vector<uint8_t> m_used; // 1 where m_slots holds a value (the all-zero hash is a valid value)
    size_t m_size = 0;
};

} // namespace mlci
