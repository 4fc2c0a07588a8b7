// Parley's reader page: what JavaScript adds to pages that work without it.
// In-place comments and replies, likes, live comments, the notification bell, moderation.
(function () {
  'use strict';

  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
  var body = document.body;
  var postId = body.dataset.postId;
  var loggedIn = body.dataset.loggedIn === 'true';
  var accountId = body.dataset.accountId || null;
  // Comments this page posted: the reader sees them in place, never as "new comments".
  var postedHere = {};
  var posting = null;

  function api(method, url, payload) {
    var headers = { accept: 'application/json', 'x-parley-csrf': csrf };
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return fetch(url, {
      method: method,
      headers: headers,
      credentials: 'same-origin',
      body: payload === undefined ? undefined : JSON.stringify(payload),
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch (e) {
          json = null;
        }
        return { status: response.status, ok: response.ok, body: json, headers: response.headers };
      });
    });
  }

  function fragment(id) {
    return fetch('/fragments/comments/' + encodeURIComponent(id), {
      credentials: 'same-origin',
    }).then(function (r) {
      return r.ok ? r.text() : '';
    });
  }

  function toElement(markup) {
    var template = document.createElement('template');
    template.innerHTML = markup.trim();
    return template.content.firstElementChild;
  }

  // ---- The comment form: replies, posting in place, errors from problem+json ----

  var respond = document.getElementById('respond');
  var form = respond && respond.querySelector('form.comment-form');
  var home = respond && respond.parentNode;
  var homeNext = respond && respond.nextSibling;

  function setReplyTo(id, name) {
    if (!form) return;
    form.elements.parentId.value = id || '';
    var title = document.getElementById('reply-title');
    if (id) {
      var li = document.getElementById('comment-' + id);
      if (li) li.appendChild(respond);
      title.textContent = 'Reply to ' + name + ' ';
      var cancel = document.createElement('a');
      cancel.href = '#respond';
      cancel.className = 'cancel-reply';
      cancel.textContent = 'Cancel reply';
      cancel.addEventListener('click', function (event) {
        event.preventDefault();
        setReplyTo(null, '');
      });
      title.appendChild(cancel);
    } else {
      home.insertBefore(respond, homeNext);
      title.textContent = 'Leave a Reply';
    }
    form.elements.body.focus();
  }

  document.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('[data-reply-to]');
    if (link && form) {
      event.preventDefault();
      setReplyTo(link.dataset.replyTo, link.dataset.replyName || 'a comment');
    }
    var cancel = event.target.closest && event.target.closest('[data-cancel-reply]');
    if (cancel && form) {
      event.preventDefault();
      setReplyTo(null, '');
    }
  });

  function clearErrors() {
    form.querySelectorAll('.field-error[data-js]').forEach(function (e) {
      e.remove();
    });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) {
      e.removeAttribute('aria-invalid');
    });
    var box = form.querySelector('[data-form-error]');
    box.hidden = true;
    box.textContent = '';
  }

  function showProblem(problem, headers) {
    var box = form.querySelector('[data-form-error]');
    var fields = (problem && problem.errors) || [];
    fields.forEach(function (error) {
      var name = String(error.field).replace(/^author\./, '');
      var input = form.elements[name];
      if (!input || !input.insertAdjacentElement) return;
      input.setAttribute('aria-invalid', 'true');
      var p = document.createElement('p');
      p.className = 'field-error';
      p.dataset.js = 'true';
      p.id = 'comment-' + name + '-error-js';
      p.textContent = error.reason;
      input.setAttribute('aria-describedby', p.id);
      input.insertAdjacentElement('afterend', p);
    });
    var message =
      problem && problem.code === 'validation-failed'
        ? 'Please correct the marked fields.'
        : (problem && problem.title) || 'Your comment could not be posted.';
    if (problem && problem.detail && problem.code !== 'validation-failed')
      message += ' ' + problem.detail;
    var retry = headers && headers.get('retry-after');
    if (retry && (!problem || !problem.detail)) message += ' Try again in ' + retry + ' seconds.';
    box.textContent = message;
    box.hidden = false;
    (form.querySelector('[aria-invalid]') || box).focus();
  }

  function place(li, parentId) {
    if (parentId) {
      var parent = document.getElementById('comment-' + parentId);
      if (parent && parseInt(li.dataset.depth, 10) > parseInt(parent.dataset.depth, 10)) {
        var children = parent.querySelector(':scope > ol.children');
        if (!children) {
          children = document.createElement('ol');
          children.className = 'children';
          parent.insertBefore(children, parent.querySelector(':scope > #respond'));
        }
        children.appendChild(li);
        return;
      }
      if (parent) {
        parent.insertAdjacentElement('afterend', li);
        return;
      }
    }
    var list = document.querySelector('.comment-list');
    if (list) list.appendChild(li);
  }

  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors();
      var elements = form.elements;
      var payload = {
        body: elements.body.value,
        notify: elements.notifyComments.checked ? 'all' : 'none',
      };
      if (elements.parentId.value) payload.parentId = elements.parentId.value;
      if (elements.email) {
        payload.author = {
          name: elements.name.value,
          email: elements.email.value,
          url: elements.url.value,
        };
      }
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      posting = api(
        'POST',
        '/api/v1/posts/' + encodeURIComponent(form.dataset.postId) + '/comments',
        payload,
      );
      posting
        .then(function (answer) {
          if (answer.status !== 201) {
            showProblem(answer.body, answer.headers);
            return null;
          }
          var created = answer.body;
          postedHere[created.id] = true;
          if (elements.notifyPosts.checked) {
            api(
              'POST',
              '/api/v1/subscriptions',
              elements.email ? { kind: 'blog', email: elements.email.value } : { kind: 'blog' },
            );
          }
          var url =
            '/fragments/comments/' +
            encodeURIComponent(created.id) +
            (created.viewerToken ? '?viewerToken=' + encodeURIComponent(created.viewerToken) : '');
          return fetch(url, { credentials: 'same-origin' })
            .then(function (r) {
              return r.text();
            })
            .then(function (markup) {
              var li = toElement(markup);
              if (!li) return;
              var parentId = payload.parentId;
              setReplyTo(null, '');
              place(li, parentId);
              elements.body.value = '';
              if (created.status === 'approved') bumpCount(1);
              li.tabIndex = -1;
              li.focus();
            });
        })
        .catch(function () {
          showProblem({
            title: 'Your comment could not be sent. Check your connection and try again.',
          });
        })
        .then(function () {
          button.disabled = false;
        });
    });
  }

  function bumpCount(by) {
    var count = document.querySelector('[data-comment-count]');
    if (!count) return;
    var n = parseInt(count.textContent, 10) + by;
    count.textContent = String(n);
    var title = document.getElementById('comments-title');
    if (title && title.lastChild) title.lastChild.textContent = n === 1 ? ' Comment' : ' Comments';
  }

  // ---- Likes ----

  document.addEventListener('submit', function (event) {
    var target = event.target;
    if (target.dataset.confirm && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (!loggedIn) return;
    var button = target.querySelector('button');
    if (target.dataset.postLike) {
      event.preventDefault();
      var pressed = button.getAttribute('aria-pressed') === 'true';
      api(
        pressed ? 'DELETE' : 'PUT',
        '/api/v1/posts/' + encodeURIComponent(target.dataset.postLike) + '/like',
      ).then(function (answer) {
        if (!answer.ok) return;
        var liked = answer.body.liked;
        button.setAttribute('aria-pressed', liked ? 'true' : 'false');
        button.textContent = liked ? '★ Liked' : '☆ Like';
        target.elements.action.value = liked ? 'unlike' : 'like';
        return api('GET', '/api/v1/posts/' + encodeURIComponent(target.dataset.postLike)).then(
          function (post) {
            var line = document.querySelector('[data-likes-line]');
            if (post.ok && line) line.textContent = likesLine(post.body);
          },
        );
      });
    }
    if (target.dataset.commentLike) {
      event.preventDefault();
      var likedNow = button.getAttribute('aria-pressed') === 'true';
      api(
        likedNow ? 'DELETE' : 'PUT',
        '/api/v1/comments/' + encodeURIComponent(target.dataset.commentLike) + '/like',
      ).then(function (answer) {
        if (!answer.ok) return;
        var liked = answer.body.liked;
        if (liked === likedNow) return;
        button.setAttribute('aria-pressed', liked ? 'true' : 'false');
        button.textContent = liked ? 'Liked' : 'Like';
        target.elements.action.value = liked ? 'unlike' : 'like';
        var count = target.querySelector('.like-count');
        var n = parseInt(count.dataset.count, 10) + (liked ? 1 : -1);
        count.dataset.count = String(n);
        count.textContent = n > 0 ? n + (n === 1 ? ' like' : ' likes') : '';
      });
    }
  });

  function likesLine(post) {
    if (post.likeCount === 0) return 'Be the first to like this.';
    var names = post.likers.slice(0, 3);
    var others = post.likeCount - names.length;
    var who =
      others > 0
        ? names.join(', ') + ' and ' + others + (others === 1 ? ' other' : ' others')
        : names.length > 1
          ? names.slice(0, -1).join(', ') + ' and ' + names[names.length - 1]
          : names[0] || '';
    return (
      post.likeCount +
      (post.likeCount === 1 ? ' blogger likes' : ' bloggers like') +
      ' this: ' +
      who +
      '.'
    );
  }

  // ---- An imported blog's comment anchor (#comment-123) on another page of the thread ----

  var oldAnchor = /^#comment-(\d+)$/.exec(window.location.hash);
  if (
    postId &&
    body.dataset.postSlug &&
    oldAnchor &&
    !document.getElementById('comment-' + oldAnchor[1]) &&
    document.querySelector('nav.pagination')
  ) {
    var corder = new URLSearchParams(window.location.search).get('corder');
    var order = corder === 'newest' || corder === 'oldest' ? corder : '';
    var findOldComment = function (page) {
      var query = '?page=' + page + (order ? '&order=' + order : '');
      api('GET', '/api/v1/posts/' + encodeURIComponent(postId) + '/comments' + query).then(
        function (r) {
          if (!r.ok || !r.body) return;
          var here = r.body.items.some(function (item) {
            return item.imported && item.imported.id === oldAnchor[1];
          });
          if (here) {
            window.location.replace(
              '/posts/' +
                encodeURIComponent(body.dataset.postSlug) +
                '?cpage=' +
                page +
                (order ? '&corder=' + order : '') +
                oldAnchor[0],
            );
          } else if (page < r.body.totals.pages) {
            findOldComment(page + 1);
          }
        },
      );
    };
    findOldComment(1);
  }

  // ---- Live comments: a gentle marker, never a jump ----

  var marker = document.querySelector('[data-new-comments]');
  var waiting = [];
  if (postId && body.dataset.commentsStream && window.EventSource) {
    var stream = new EventSource(body.dataset.commentsStream);
    var arrived = function (event) {
      var data = JSON.parse(event.data);
      if (data.author && data.author.accountId && data.author.accountId === accountId) return;
      // The stream can be quicker than the answer to the post: decide once it is known.
      if (posting) {
        var pending = posting;
        pending.then(
          function () {
            if (posting === pending) posting = null;
            arrived(event);
          },
          function () {
            if (posting === pending) posting = null;
            arrived(event);
          },
        );
        return;
      }
      if (
        postedHere[data.commentId] ||
        document.getElementById('comment-' + data.commentId) ||
        waiting.some(function (w) {
          return w.commentId === data.commentId;
        })
      )
        return;
      waiting.push(data);
      marker.textContent =
        waiting.length === 1 ? '1 new comment' : waiting.length + ' new comments';
      marker.hidden = false;
    };
    stream.addEventListener('comment', arrived);
    stream.addEventListener('comment-approved', arrived);
  }
  if (marker) {
    marker.addEventListener('click', function () {
      var batch = waiting.splice(0);
      marker.hidden = true;
      Promise.all(
        batch.map(function (item) {
          return fragment(item.commentId).then(function (markup) {
            return { item: item, markup: markup };
          });
        }),
      ).then(function (results) {
        results.forEach(function (result) {
          if (!result.markup || document.getElementById('comment-' + result.item.commentId)) return;
          var li = toElement(result.markup);
          place(li, result.item.parentId);
          li.classList.add('just-arrived');
          bumpCount(1);
        });
        var first = results[0] && document.getElementById('comment-' + results[0].item.commentId);
        if (first) {
          first.tabIndex = -1;
          first.focus();
        }
      });
    });
  }

  // ---- The bell ----

  var badge = document.querySelector('[data-unread]');
  if (badge && loggedIn) {
    var setUnread = function (n) {
      badge.textContent = String(n);
      badge.hidden = n === 0;
      badge.parentElement.setAttribute(
        'aria-label',
        n === 0 ? 'Notifications' : 'Notifications, ' + n + ' unread',
      );
    };
    // The page comes with the count; the stream adds what arrives while it is open.
    var unread = parseInt(badge.textContent, 10) || 0;
    if (window.EventSource) {
      var notifications = new EventSource('/api/v1/notifications/stream');
      // What arrived between the page and the stream is in the count asked once connected.
      notifications.addEventListener('open', function () {
        api('GET', '/api/v1/notifications?limit=1').then(function (answer) {
          if (answer.ok) {
            unread = answer.body.unreadCount || 0;
            setUnread(unread);
          }
        });
      });
      notifications.addEventListener('notification', function () {
        unread += 1;
        setUnread(unread);
      });
    }
  }

  // ---- Moderation in one click ----

  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-moderate]');
    if (!button) return;
    event.preventDefault();
    var item = button.closest('[data-queue-item]');
    api('POST', '/api/v1/comments/' + encodeURIComponent(item.dataset.queueItem) + '/moderation', {
      status: button.dataset.moderate,
    }).then(function (answer) {
      if (!answer.ok) {
        item.querySelector('[data-queue-error]').textContent =
          (answer.body && answer.body.title) || 'That did not work.';
        return;
      }
      item.querySelector('[data-queue-status]').textContent =
        button.dataset.moderate === 'approved'
          ? 'Approved'
          : button.dataset.moderate === 'spam'
            ? 'Marked as spam'
            : 'Trashed';
      item.querySelectorAll('[data-moderate]').forEach(function (b) {
        b.disabled = true;
      });
    });
  });

  // ---- Editor preview ----

  var previewButton = document.querySelector('[data-preview]');
  if (previewButton) {
    previewButton.addEventListener('click', function (event) {
      event.preventDefault();
      var source = document.getElementById(previewButton.dataset.preview);
      var target = document.querySelector('[data-preview-target]');
      fetch('/preview', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-parley-csrf': csrf },
        body: JSON.stringify({ body: source.value }),
      })
        .then(function (r) {
          return r.text();
        })
        .then(function (markup) {
          target.innerHTML = markup;
          target.hidden = false;
        });
    });
  }
})();
