<?php
// Installs the site (once), switches to the Twenty Twenty-One theme and seeds two posts with 50 and 500 comments; prints JSON
// {"posts": {"50": id, "500": id, "writes": id}} for the benchmark.
[$script, $host, $port] = $argv;
$_SERVER['HTTP_HOST'] = $host;
$_SERVER['SERVER_PORT'] = $port;
$_SERVER['REQUEST_URI'] = '/';
define('WP_INSTALLING', true);
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
  wp_install('Parley peer', 'admin', 'admin@bench.example', true, '', 'a-benchmark-password');
}
switch_theme('twentytwentyone');
update_option('comment_moderation', 0);
update_option('comment_previously_approved', 0);
update_option('require_name_email', 1);
update_option('thread_comments', 1);
update_option('thread_comments_depth', 5);
update_option('page_comments', 0);
update_option('permalink_structure', '');
$posts = [];
foreach ([50, 500, 0] as $count) {
  $post = wp_insert_post([
    'post_title' => $count ? "Thread of $count" : 'Writes under load',
    'post_content' => "A post with $count comments, for the benchmarks.",
    'post_status' => 'publish',
    'post_author' => 1,
    'comment_status' => 'open',
  ]);
  $tops = max(1, intdiv($count, 10));
  $topIds = [];
  for ($i = 0; $i < $count; $i++) {
    $parent = $i < $tops ? 0 : $topIds[($i - $tops) % $tops];
    $id = wp_insert_comment([
      'comment_post_ID' => $post,
      'comment_author' => $i % 2 ? 'admin' : 'reader',
      'comment_author_email' => $i % 2 ? 'admin@bench.example' : 'reader@bench.example',
      'comment_content' => "Comment $i on Thread of $count: a few sentences of markdown, as readers write them. It says something about the post and asks a question back?",
      'comment_parent' => $parent,
      'comment_approved' => 1,
    ]);
    if ($i < $tops) $topIds[] = $id;
  }
  $posts[$count ? (string) $count : 'writes'] = $post;
}
echo json_encode(['url' => "http://$host:$port", 'posts' => $posts]), "\n";
